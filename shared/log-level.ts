/**
 * LOG_LEVEL: how much the app and the local host say. `info` (the default) is one line per request and per
 * issuer outcome; `debug` adds every function start and end and the no-op jobs; `warn` and `error` keep only
 * what needs a person.
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** Case-insensitive, with the Functions host's own words (`Information`, `Warning`, `Trace`) understood too. */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const word = value?.trim().toLowerCase();
  if (!word) return DEFAULT_LOG_LEVEL;
  const aliases: Record<string, LogLevel> = { information: 'info', warning: 'warn', trace: 'debug', critical: 'error' };
  const level = aliases[word] ?? word;
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : undefined;
}

/** Whether a line at `level` is written when the setting is `threshold`. */
export function isLogged(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(threshold);
}
