import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { statsOf } from './figures';
import { round } from './measure';

/**
 * What a new Functions instance pays before its first request: loading modules. The worker loads every file
 * that `main` names (all of `dist/functions`), so the whole-app figure is the cold start's; the per-file figures
 * say what each function's own graph costs, and which packages it pulls in, so a route that drags in a heavy
 * package shows up by name. Every sample is a fresh Node process (`node -e`), timed from inside it, after the
 * local host's `register` shim, the same as the whole-app figure: wall time, and the process's CPU time (user +
 * system) over the same requires, which other work on a shared machine disturbs less. Runnable on its own after a bench build:
 * `node dist/bench/module-load.js [samples]`.
 */

const repoRoot = resolve(__dirname, '..', '..');
const functionsDir = join(repoRoot, 'dist', 'functions');

export interface ModuleLoadSample {
  ms: number;
  /** CPU time (user + system) of the process over the same span. */
  cpuMs: number;
  modules: number;
  packages: string[];
}

function loadInFreshProcess(requires: string): ModuleLoadSample {
  const script = `require('./dist/scripts/local-host/register');
const c = process.cpuUsage();
const t = process.hrtime.bigint();
${requires}
const ms = Number(process.hrtime.bigint() - t) / 1e6;
const cpu = process.cpuUsage(c);
const files = Object.keys(require.cache);
const packages = new Set();
for (const f of files) { const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f); if (m) packages.add(m[1].replace(/\\\\/g, '/')); }
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, modules: files.length, packages: [...packages].sort() }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8' })) as ModuleLoadSample;
}

export function functionFiles(): string[] {
  return readdirSync(functionsDir).filter((f) => f.endsWith('.js')).sort();
}

const BARE = `const { app } = require('@azure/functions'); app.http('bare', { route: 'bare', authLevel: 'anonymous', handler: async () => ({ status: 200 }) });`;
const WHOLE_APP = `for (const f of require('fs').readdirSync('dist/functions').filter((f) => f.endsWith('.js'))) require('./dist/functions/' + f);`;

/** A bare `@azure/functions` app and this app's function modules, taking turns; ms each, wall and CPU. */
export function measureModuleLoading(samples: number): { bare: number[]; app: number[]; bareCpu: number[]; appCpu: number[]; appPackages: string[] } {
  const bare: number[] = [];
  const app: number[] = [];
  const bareCpu: number[] = [];
  const appCpu: number[] = [];
  let appPackages: string[] = [];
  for (let i = 0; i < samples; i++) {
    const alone = loadInFreshProcess(BARE);
    bare.push(alone.ms);
    bareCpu.push(alone.cpuMs);
    const whole = loadInFreshProcess(WHOLE_APP);
    app.push(whole.ms);
    appCpu.push(whole.cpuMs);
    appPackages = whole.packages;
  }
  return { bare, app, bareCpu, appCpu, appPackages };
}

export interface FunctionFileLoad {
  file: string;
  /** Median ms over the samples. */
  ms: number;
  modules: number;
  packages: string[];
}

/**
 * Each function file alone in a fresh process; files take turns within a sample so drift falls on all alike.
 * `everyNth` > 1 takes every n-th file only (a smaller bench scale: a process per file is ~0.3 s).
 */
export function measureModuleLoadPerFunction(samples: number, everyNth = 1): FunctionFileLoad[] {
  const files = functionFiles().filter((_, i) => i % everyNth === 0);
  const times = new Map<string, number[]>(files.map((f) => [f, []]));
  const last = new Map<string, ModuleLoadSample>();
  for (let i = 0; i < samples; i++) {
    for (const file of i % 2 === 0 ? files : [...files].reverse()) {
      const sample = loadInFreshProcess(`require('./dist/functions/${file}');`);
      times.get(file)?.push(sample.ms);
      last.set(file, sample);
    }
  }
  return files
    .map((file) => ({ file, ms: statsOf(times.get(file) ?? []).median, modules: last.get(file)?.modules ?? 0, packages: last.get(file)?.packages ?? [] }))
    .sort((a, b) => b.ms - a.ms);
}

/** Packages a function file loads beyond what every function file loads: what only that route pays for. */
export function packagesBeyondCommon(loads: readonly FunctionFileLoad[]): Map<string, string[]> {
  const common = loads.reduce<Set<string> | undefined>((acc, l) => (acc ? new Set([...acc].filter((p) => l.packages.includes(p))) : new Set(l.packages)), undefined) ?? new Set();
  return new Map(loads.map((l) => [l.file, l.packages.filter((p) => !common.has(p))]));
}

if (require.main === module) {
  const samples = Number(process.argv[2] ?? 3);
  const whole = measureModuleLoading(samples);
  console.log(`bare @azure/functions app: ${round(statsOf(whole.bare).median, 1)} ms; this app's function modules: ${round(statsOf(whole.app).median, 1)} ms (${samples} samples each)`);
  console.log(`CPU (user + system): bare ${round(statsOf(whole.bareCpu).median, 1)} ms; this app's function modules ${round(statsOf(whole.appCpu).median, 1)} ms`);
  console.log(`packages the whole app loads (${whole.appPackages.length}): ${whole.appPackages.join(', ')}`);
  const loads = measureModuleLoadPerFunction(samples);
  const beyond = packagesBeyondCommon(loads);
  console.table(loads.map((l) => ({ file: l.file, 'median ms': round(l.ms, 1), modules: l.modules, 'packages beyond common': (beyond.get(l.file) ?? []).join(' ') })));
}
