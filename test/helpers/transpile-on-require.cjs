// @ts-check
'use strict';
/**
 * Lets plain Node require the repository's TypeScript sources, for child processes a test starts (a local host
 * or `npm start`'s own entry point, to SIGKILL: host-process.ts, npm-start-process.ts):
 * `node -r ./test/helpers/transpile-on-require.cjs entry.ts`. Transpile only (no type check; `npm run typecheck`
 * does that), with tsconfig.json's options, each file's output cached in node_modules/.cache by its path, size and
 * mtime (and the compiler's version and tsconfig.json), so a restarted child loads in well under a second.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'transpile-on-require');

/** @type {typeof import('typescript') | undefined} */
let ts;
/** @type {import('typescript').CompilerOptions | undefined} */
let compilerOptions;

function typescript() {
  if (!ts) {
    ts = require(require.resolve('typescript', { paths: [ROOT] }));
    const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    // CommonJS, as tsc emits for "type": "commonjs" under Node16; source maps inline so stacks point at .ts lines.
    compilerOptions = { ...parsed.options, module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: true, inlineSources: false };
  }
  return { ts, options: /** @type {import('typescript').CompilerOptions} */ (compilerOptions) };
}

/** What else decides the output: the compiler's version and tsconfig.json. */
function compilerFingerprint() {
  const version = require(require.resolve('typescript/package.json', { paths: [ROOT] })).version;
  return `${version}\0${fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')}`;
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
  const { ts: compiler, options } = typescript();
  const output = compiler.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file }).outputText;
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
