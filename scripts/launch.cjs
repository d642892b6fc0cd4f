#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm start` and `npm run token` go through here: plain JavaScript, so it runs before anything is compiled.
 *
 *   node scripts/launch.cjs start            take the data-folder lock, build if needed, run the local host
 *   node scripts/launch.cjs token [flags]    build if needed, print a local token
 *   node scripts/launch.cjs settings         build if needed, write local.settings.json for `func start`
 *   node scripts/launch.cjs events-replay    build if needed, replay undelivered certificate events (docs/events.md)
 *   node scripts/launch.cjs scale-sim [flags] build if needed, replay a day of a fleet against the scale model (docs/scale.md)
 *
 * The build (tsc, then the dashboard bundle) runs only when dist/ is missing or older than a source file, so a token costs a Node start and
 * one signature, not a compile. A rebuild compiles into a new folder and swaps it in, so a host that is already
 * running never sees a half-written dist/. `start` takes the lock before looking at dist/ at all: a second
 * `npm start` in the same folder stops with one line instead of rebuilding under the running host.
 * Works from any folder: everything is resolved from the repository root.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
/** Written into dist/ after a successful build; its mtime is when that build started. */
const STAMP_NAME = '.build-stamp';
/** What tsconfig.build.json compiles, and the files that change how it compiles. */
const SOURCE_DIRS = ['functions', 'shared', 'scripts'];
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** What the build reads: TypeScript, and the dashboard page's own HTML and CSS (scripts/build-dashboard.cjs). */
const SOURCE_FILE = /\.(ts|html|css)$/;

/** @param {string} dir @returns {number} newest mtime (ms) of a source file (SOURCE_FILE) under dir */
function newestTypeScript(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTypeScript(full));
    else if (SOURCE_FILE.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** @param {string} root @returns {string | undefined} why dist/ must be rebuilt, or undefined when it is fresh */
function staleBecause(root) {
  let built;
  try {
    built = fs.statSync(path.join(root, 'dist', STAMP_NAME)).mtimeMs;
  } catch {
    return 'no build yet';
  }
  const sources = Math.max(
    ...SOURCE_DIRS.map((dir) => newestTypeScript(path.join(root, dir))),
    ...BUILD_INPUTS.map((file) => {
      try {
        return fs.statSync(path.join(root, file)).mtimeMs;
      } catch {
        return 0;
      }
    }),
  );
  return sources > built ? 'sources changed since the last build' : undefined;
}

/** Compiles into dist.next-<pid> (the dashboard bundled into its dashboard/), then swaps it for dist/. Exits on a compile error. */
async function build(reason) {
  const started = Date.now();
  process.stderr.write(`Building (${reason})...\n`);
  const next = path.join(ROOT, `dist.next-${process.pid}`);
  fs.rmSync(next, { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', next], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    fs.rmSync(next, { recursive: true, force: true });
    process.stderr.write('The build failed (see above); nothing was started.\n');
    process.exit(result.status ?? 1);
  }
  try {
    await require('./build-dashboard.cjs').buildDashboard(path.join(next, 'dashboard'));
  } catch (error) {
    fs.rmSync(next, { recursive: true, force: true });
    process.stderr.write(`The dashboard did not build: ${error instanceof Error ? error.message : String(error)}; nothing was started.\n`);
    process.exit(1);
  }
  const stamp = path.join(next, STAMP_NAME);
  fs.writeFileSync(stamp, new Date(started).toISOString());
  // The stamp records when compiling started, so a source saved during the compile still counts as newer.
  fs.utimesSync(stamp, new Date(started), new Date(started));
  const old = path.join(ROOT, `dist.old-${process.pid}`);
  if (fs.existsSync(DIST)) fs.renameSync(DIST, old);
  fs.renameSync(next, DIST);
  fs.rmSync(old, { recursive: true, force: true });
  process.stderr.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
}

/** @param {() => void} then runs once dist/ is fresh */
function ensureBuilt(then) {
  const reason = staleBecause(ROOT);
  if (!reason) return then();
  build(reason).then(then, (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}

/** @param {number} pid */
function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/**
 * The same lock file the host keeps (scripts/local-host/instance-lock.ts: the owner's pid), taken here first;
 * the host, running in this same process, then finds its own pid in it.
 */
function takeDataFolderLock() {
  // The host's own rule (scripts/local-host/main.ts, localDataDir).
  const configured = process.env.LOCAL_DATA_DIR?.trim();
  const localDir = configured ? path.resolve(ROOT, configured) : path.join(ROOT, '.local');
  fs.mkdirSync(localDir, { recursive: true, mode: 0o700 });
  const file = path.join(localDir, 'host.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      process.once('exit', () => fs.rmSync(file, { force: true }));
      return;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
    }
    const owner = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
      process.stderr.write(`Another local host (pid ${owner}) is already running on ${localDir}; stop it first.\n`);
      process.exit(1);
    }
    fs.rmSync(file, { force: true });
  }
  throw new Error(`Cannot take the lock ${file}`);
}

/**
 * Builds if stale, then runs `main(argv)` of a compiled script in dist/scripts; its resolved number is the exit
 * code. `fromRoot` runs it from the repository root, where the local host runs.
 * @param {string} file
 * @param {string[]} args
 * @param {{ fromRoot: boolean }} options
 */
function runScriptMain(file, args, options) {
  ensureBuilt(() => {
    if (options.fromRoot) process.chdir(ROOT);
    /** @type {{ main(argv: string[]): Promise<number> }} */
    const script = require(path.join(DIST, 'scripts', file));
    void script.main(args).then((code) => {
      process.exitCode = code;
    });
  });
}

function main() {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'start':
      takeDataFolderLock();
      ensureBuilt(() => require(path.join(DIST, 'scripts', 'local-host', 'main.js')));
      return;
    case 'token':
      // Relative settings (AUTH_LOCAL_KEY_FILE) mean what they mean to the host, which runs from the root.
      runScriptMain('token.js', args, { fromRoot: true });
      return;
    case 'events-replay':
      // local.settings.json and the local host's data folder are found from the root, as the host finds them.
      runScriptMain('events-replay.js', args, { fromRoot: true });
      return;
    case 'scale-sim':
      runScriptMain('scale-simulation.js', args, { fromRoot: false });
      return;
    case 'settings':
      ensureBuilt(() => {
        process.chdir(ROOT);
        require(path.join(DIST, 'scripts', 'init-local-settings.js')).initLocalSettings(ROOT).then(
          (/** @type {string} */ file) => process.stdout.write(`Wrote ${file}, with the key-encryption key of npm start (.local/key-encryption-key).\n`),
          (/** @type {Error} */ error) => {
            process.stderr.write(`settings: ${error.message}\n`);
            process.exitCode = 1;
          },
        );
      });
      return;
    default:
      process.stderr.write('usage: node scripts/launch.cjs start | token [flags] | settings | events-replay [flags] | scale-sim [flags]\n');
      process.exitCode = 2;
  }
}

if (require.main === module) main();

module.exports = { staleBecause };
