/**
 * `%NAME%` binding expressions, as the Functions host resolves them from app settings: a schedule of
 * `%STATUS_SWEEP_SCHEDULE%` or a queue name of `%JOBS_QUEUE%` takes the setting's value at startup.
 */

export class AppSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppSettingError';
  }
}

/** Replaces every `%NAME%` in `value`; a missing or empty setting is an error, as it is for the host. */
export function resolveAppSettings(value: string, env: NodeJS.ProcessEnv, what: string): string {
  return value.replace(/%([^%]+)%/g, (_match, name: string) => {
    const setting = env[name];
    if (setting === undefined || setting === '') {
      throw new AppSettingError(`${what}: '%${name}%' does not resolve to a value (app setting ${name} is not set)`);
    }
    return setting;
  });
}
