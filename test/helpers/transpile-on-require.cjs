// @ts-check
'use strict';
/**
 * Lets plain Node require the repository's TypeScript sources, for child processes a test starts (a local host
 * or `npm start`'s own entry point, to SIGKILL: host-process.ts, npm-start-process.ts):
 * `node -r ./test/helpers/transpile-on-require.cjs entry.ts`. Transpile only (no type check; `npm run typecheck`
 * does that), with swc and the options of jest's transform (swc-options.cjs), each file's output cached in node_modules/.cache by
 * its path, size and mtime (and the compiler's version and options), so a restarted child loads in well under a
 * second. swc, not TypeScript: the first child of a fresh clone (every CI run) transpiles every source it loads
 * in a fraction of a second instead of several seconds.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'transpile-on-require');

/** @type {typeof import('@swc/core') | undefined} */
let swc;

const SWC_OPTIONS = require('./swc-options.cjs');

/** What else decides the output: the compiler's version and its options. */
function compilerFingerprint() {
  const version = require(require.resolve('@swc/core/package.json', { paths: [ROOT] })).version;
  return `swc ${version}\0${JSON.stringify(SWC_OPTIONS)}`;
}

/** @type {string | undefined} */
let fingerprint;

/** @param {string} file */
function transpiled(file) {
  const stat = fs.statSync(file);
  fingerprint ??= compilerFingerprint();
  const key = crypto.createHash('sha256').update(`${fingerprint}\0${file}\0${stat.size}\0${stat.mtimeMs}`).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  swc ??= /** @type {typeof import('@swc/core')} */ (require(require.resolve('@swc/core', { paths: [ROOT] })));
  const output = swc.transformSync(fs.readFileSync(file, 'utf8'), { ...SWC_OPTIONS, filename: file }).code;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  // Written aside and renamed, so a concurrent reader never sees half a file.
  const temp = `${cached}.${process.pid}`;
  fs.writeFileSync(temp, output);
  fs.renameSync(temp, cached);
  return output;
}

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  const compiled = /** @type {{ _compile(code: string, file: string): void }} */ (/** @type {unknown} */ (module));
  compiled._compile(transpiled(filename), filename);
};
