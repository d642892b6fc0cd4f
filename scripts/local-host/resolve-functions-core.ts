import Module from 'node:module';
import path from 'node:path';

/**
 * Makes plain Node resolve `require('@azure/functions-core')` to our fake (`functions-core.ts`, compiled next to
 * this file). In Azure the worker injects that module; here nothing provides it, and `@azure/functions` would
 * silently switch to "test mode" and register nothing. Jest does the same mapping with `moduleNameMapper`.
 *
 * Must run before the first `app.*` call: `@azure/functions` caches the result of its first lookup.
 */

const SPECIFIER = '@azure/functions-core';

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const loader = Module as unknown as { _resolveFilename: ResolveFilename };

let installed = false;

/** The fake's file: `.ts` when this file runs from source, `.js` when compiled. */
const FUNCTIONS_CORE_PATH = path.join(__dirname, `functions-core${path.extname(__filename)}`);

export function installFunctionsCoreResolver(): void {
  // Under jest this patch is inert (jest resolves modules itself, through moduleNameMapper). It is not skipped
  // there by sniffing JEST_WORKER_ID, because child processes a test spawns inherit that variable.
  if (installed) return;
  installed = true;
  const original = loader._resolveFilename;
  loader._resolveFilename = function resolveFilename(request, parent, isMain, options) {
    if (request === SPECIFIER) return FUNCTIONS_CORE_PATH;
    return original.call(this, request, parent, isMain, options);
  };
}
