import { spawnSync } from 'node:child_process';
import type { ScenarioResults } from './external-sdk';

/**
 * The official Python SDK as a user on this machine has it: Debian's python3-azure (azure-keyvault-certificates,
 * -secrets and -keys) with python3-cryptography, for Debian's /usr/bin/python3. A pyenv or venv `python3` earlier on
 * PATH usually lacks them, so the interpreter is whichever candidate can import them.
 */
const REQUIRED_MODULES = ['azure.keyvault.certificates', 'azure.keyvault.secrets', 'azure.keyvault.keys', 'cryptography'];

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

/** Reads the JSON report test/python/test_sdk_conformance.py writes to $KV_RESULTS_FILE. */
export function parsePythonReport(json: string): ScenarioResults {
  const report = JSON.parse(json) as { scenarios: Record<string, { outcome: string; detail: string | null }> };
  return new Map(Object.entries(report.scenarios).map(([name, { outcome, detail }]) => [name, { outcome, message: detail ?? '' }]));
}
