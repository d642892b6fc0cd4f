'use strict';
/**
 * `node -r ./test/helpers/transpile-on-require.cjs scripts/local-host/main.ts`: runs `npm start`'s host from the
 * TypeScript sources, file by file as they are required (TypeScript's transpileModule: no type check, no dist/
 * build), so a test can run the real entry point as a child process. Output is cached by path, size and mtime
 * in node_modules/.cache, so only changed files are transpiled again (and TypeScript is loaded only then).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'transpile-on-require');
let transpile;

function transpiler() {
  const ts = require('typescript');
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, host);
  const compilerOptions = { ...(config ? config.options : {}), module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: true };
  return (source, fileName) => ts.transpileModule(source, { compilerOptions, fileName }).outputText;
}

require.extensions['.ts'] = (module, filename) => {
  const stat = fs.statSync(filename);
  const key = crypto.createHash('sha256').update(`${filename}\0${stat.size}\0${stat.mtimeMs}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    transpile ??= transpiler();
    output = transpile(fs.readFileSync(filename, 'utf8'), filename);
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed: a parallel run never reads half a file.
    const partial = `${cached}.${process.pid}`;
    fs.writeFileSync(partial, output);
    fs.renameSync(partial, cached);
  }
  module._compile(output, filename);
};
