import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The official Python SDK as a user on this machine has it: Debian's python3-azure (azure-keyvault-certificates
 * and -secrets) with python3-cryptography, for Debian's /usr/bin/python3. A pyenv or venv `python3` earlier on
 * PATH usually lacks them, so the interpreter is whichever candidate can import them.
 */
const REQUIRED_MODULES = ['azure.keyvault.certificates', 'azure.keyvault.secrets', 'cryptography'];

export type PythonLookup = { found: true; python: string; version: string } | { found: false; reason: string };

export function findPythonWithSdk(env: NodeJS.ProcessEnv = process.env): PythonLookup {
  const candidates = [...new Set([env.PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c))];
  const tried: string[] = [];
  for (const python of candidates) {
    const probe = spawnSync(
      python,
      ['-c', `import ${REQUIRED_MODULES.join(', ')}, sys; from azure.keyvault.certificates import _version as v; print(sys.version.split()[0], v.VERSION)`],
      { encoding: 'utf8' },
    );
    if (probe.status === 0) return { found: true, python, version: probe.stdout.trim() };
    const why = probe.error ? probe.error.message : (probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`);
    tried.push(`${python}: ${why}`);
  }
  return {
    found: false,
    reason: `no Python can import ${REQUIRED_MODULES.join(', ')} (install Debian's python3-azure, or set PYTHON); tried ${tried.join('; ')}`,
  };
}

export interface ScenarioOutcome {
  outcome: 'passed' | 'failed' | 'error' | 'skipped';
  detail: string | null;
}

export interface PythonRun {
  exitCode: number | null;
  /** unittest's verbose report and any traceback. */
  stderr: string;
  stdout: string;
  /** Per scenario, from the program's results file; empty when it died before writing it. */
  scenarios: Record<string, ScenarioOutcome>;
}

/**
 * Runs a test program that writes its outcomes to $KV_RESULTS_FILE. Asynchronous on purpose: the service
 * under test runs in this same Node process and must keep serving while Python talks to it.
 */
export async function runPythonTests(python: string, script: string, env: Record<string, string>): Promise<PythonRun> {
  const dir = mkdtempSync(join(tmpdir(), 'kv-python-'));
  const resultsFile = join(dir, 'results.json');
  try {
    const child = spawn(python, [script], { env: { ...process.env, ...env, KV_RESULTS_FILE: resultsFile, PYTHONDONTWRITEBYTECODE: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    let scenarios: Record<string, ScenarioOutcome> = {};
    try {
      scenarios = (JSON.parse(readFileSync(resultsFile, 'utf8')) as { scenarios: Record<string, ScenarioOutcome> }).scenarios;
    } catch {
      // No results file: the program failed before running its tests; its stderr says why.
    }
    return { exitCode, stdout, stderr, scenarios };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
