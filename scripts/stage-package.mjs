#!/usr/bin/env node
// Builds the app and stages the folder that is deployed to Azure Functions: the compiled functions and the
// code they import, host.json, package.json + package-lock.json, and production dependencies only.
//
//   node scripts/stage-package.mjs [folder]      (default: .deploy)
//
// `azd package` / `azd up` run it as the `prepackage` hook (azure.yaml), after azd's `npm install`, and zip
// the staged folder (`dist: .deploy`). The project's own node_modules keep their dev dependencies: azd runs
// `npm run build` again after this hook, and a developer's next `npm test` needs them too.
// scripts/check-package.sh runs it the same way in CI and loads every function module from the result.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stage = path.resolve(root, process.argv[2] ?? '.deploy');
const isWindows = process.platform === 'win32';

function say(message) {
  process.stderr.write(`stage-package: ${message}\n`);
}

function fail(message) {
  say(message);
  process.exit(1);
}

function run(command, args, cwd) {
  say(`${path.relative(root, cwd) || '.'}$ ${command} ${args.join(' ')}`);
  // npm is npm.cmd on Windows, which only a shell runs.
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], shell: isWindows });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

if (stage === root || !stage.startsWith(root + path.sep)) fail(`the folder must be inside the project: ${stage}`);

// The compiler is a dev dependency. A project whose dev dependencies were pruned (the old prepackage hook
// ran `npm prune --omit=dev`) still looks installed to azd, which then skips its `npm install`.
if (!existsSync(path.join(root, 'node_modules', 'typescript', 'package.json'))) {
  fail('TypeScript is not installed (dev dependencies missing?): run `npm ci` in the project, then package again.');
}

// A clean build: nothing left over in dist/ from earlier builds or from `npm run bench`.
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
run('npm', ['run', 'build'], root);

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
for (const file of ['host.json', 'package.json', 'package-lock.json']) {
  cpSync(path.join(root, file), path.join(stage, file));
}
// dist/ less the local host and scripts (dist/scripts: not part of the app) and source maps.
const distScripts = path.join(root, 'dist', 'scripts');
cpSync(path.join(root, 'dist'), path.join(stage, 'dist'), {
  recursive: true,
  filter: (source) => !(source === distScripts || source.startsWith(distScripts + path.sep) || source.endsWith('.map')),
});

// Exactly the locked production dependencies, installed the way npm would for any consumer.
run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], stage);
say(`staged ${path.relative(root, stage)}/`);
