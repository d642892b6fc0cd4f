import { readdirSync } from 'node:fs';
import path from 'node:path';
import { getRegisteredFunctions, type RegisteredFunction } from './functions-core';
import { installFunctionsCoreResolver } from './resolve-functions-core';

/**
 * Loads function modules the way the Node worker does (`main` in package.json points at `dist/functions/*.js`):
 * requiring them runs their `app.*` calls, which register with our `@azure/functions-core`.
 */

/** Where the app's function modules sit next to this file: `<repo>/functions` from source, `<repo>/dist/functions` compiled. */
const DEFAULT_FUNCTIONS_DIR = path.resolve(__dirname, '..', '..', 'functions');

/** Modules in `dir` with this file's own extension (`.ts` under jest, `.js` from dist), in a stable order. */
export function listFunctionModules(dir: string = DEFAULT_FUNCTIONS_DIR): string[] {
  const extension = path.extname(__filename);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension) && !entry.name.endsWith(`.d${extension}`))
    .filter((entry) => !/\.(test|spec)\.[jt]s$/.test(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/**
 * Requires the modules and returns the registrations they made. Modules are cached per process, so a module
 * loaded earlier (by a test, or a previous host) is not run again: its registrations are found through the
 * source files recorded when it registered.
 */
export function loadFunctionModules(modules: readonly string[]): RegisteredFunction[] {
  installFunctionsCoreResolver();
  const files = modules.map((module) => require.resolve(path.resolve(module)));
  for (const file of files) {
    // Plain require on purpose: jest intercepts it (and compiles .ts), and Node caches it like the worker does.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(file);
  }
  const wanted = new Set(files);
  return getRegisteredFunctions().filter((fn) => fn.sourceFiles.some((file) => wanted.has(file)));
}
