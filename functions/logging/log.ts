import type { InvocationContext } from '@azure/functions';
import { loadConfig } from '../../shared/config';
import { DEFAULT_LOG_LEVEL, isLogged, type LogLevel } from '../../shared/log-level';

/** The LOG_LEVEL in force; before the settings parse (or when they do not), the default. */
function threshold(): LogLevel {
  try {
    return loadConfig().logLevel;
  } catch {
    return DEFAULT_LOG_LEVEL;
  }
}

/** Writes through the invocation's logger (so Azure ties the line to the invocation) when LOG_LEVEL allows it. */
export function log(context: InvocationContext, level: LogLevel, message: string): void {
  if (!isLogged(level, threshold())) return;
  if (level === 'error') context.error(message);
  else if (level === 'warn') context.warn(message);
  else if (level === 'info') context.info(message);
  else context.debug(message);
}
