import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * `local.settings.json` is where `func start` users keep their app settings. We read its `Values` the same
 * way Core Tools does, except that variables already in the environment win, so a one-off override on the
 * command line still works.
 */

const localSettingsSchema = z.object({
  Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/** Applies the file's Values to `env` where unset; returns the names it set. A missing file is fine. */
export function applyLocalSettings(file: string, env: NodeJS.ProcessEnv): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = localSettingsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file}: "Values" must map setting names to strings`);
  const applied: string[] = [];
  for (const [name, value] of Object.entries(parsed.data.Values ?? {})) {
    if (env[name] !== undefined) continue;
    env[name] = String(value);
    applied.push(name);
  }
  return applied;
}
