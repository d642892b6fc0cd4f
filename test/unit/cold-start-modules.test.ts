import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * What a new Functions instance loads before its first request: every function module, as the worker loads
 * `main`. Packages that only some requests need (an ACME order, a managed-identity sign-in) must not be among
 * them, since each instance's cold start pays for what it loads. Checked in a plain Node process (jest keeps
 * its own module registry), from the TypeScript sources.
 */
const root = join(__dirname, '..', '..');

function packagesLoadedAtStart(): string[] {
  const script = `
    const { listFunctionModules, loadFunctionModules } = require('./scripts/local-host/load-functions.ts');
    loadFunctionModules(listFunctionModules());
    const loaded = new Set();
    for (const file of Object.keys(require.cache)) {
      const match = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file);
      if (match) loaded.add(match[1].replace(/\\\\/g, '/'));
    }
    process.stdout.write(JSON.stringify([...loaded].sort()));
  `;
  const out = execFileSync(process.execPath, ['-r', './test/helpers/transpile-on-require.cjs', '-e', script], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

it('loading every function module loads neither acme-client nor @azure/identity, nor the SDKs of Event Grid and Azure DNS', () => {
  const loaded = packagesLoadedAtStart();
  // The app itself is there: storage and the Functions library.
  expect(loaded).toEqual(expect.arrayContaining(['@azure/data-tables', '@azure/storage-queue', '@azure/functions']));
  expect(loaded.filter((name) => ['acme-client', '@azure/identity', '@azure/eventgrid', '@azure/arm-dns'].includes(name))).toEqual([]);
});
