import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProgramOutcome, runSdkProgram } from '../helpers/external-sdk';
import { findPythonWithSdk, parsePythonReport } from '../helpers/python-sdk';
import { SDK_CONFORMANCE_SCENARIOS } from '../helpers/sdk-conformance';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * The official Python SDK (azure-keyvault-certificates and -secrets, unmodified, default client options) runs
 * the conformance scenarios in test/python against the service over HTTPS (azure-core sends bearer tokens
 * only over TLS), and each scenario must have run and passed. Without a Python that has the SDK this says why
 * and skips, except in CI, where it fails.
 */
const SCRIPT = join(__dirname, '..', 'python', 'test_sdk_conformance.py');
const RUN_TIMEOUT_MS = 3 * 60_000;
const python = findPythonWithSdk();
const mustRun = process.env.CI === 'true';

if (!python.found && !mustRun) console.warn(`sdk-python: skipped, ${python.reason}`);

(python.found || mustRun ? describe : describe.skip)('the official Python SDK passes every conformance scenario', () => {
  let service: ServiceUnderTest | undefined;
  let reportDir: string | undefined;
  let run: ProgramOutcome;

  beforeAll(async () => {
    if (!python.found) throw new Error(`CI must run the Python SDK conformance tests, but ${python.reason}`);
    service = await startService();
    reportDir = mkdtempSync(join(tmpdir(), 'sdk-python-'));
    const resultFile = join(reportDir, 'results.json');
    run = await runSdkProgram({
      command: python.python,
      args: [SCRIPT],
      env: {
        KV_VAULT_URL: service.httpsUrl,
        KV_TOKEN: await service.token({ lifetimeSeconds: 3600 }),
        REQUESTS_CA_BUNDLE: service.caCertFile,
        KV_RESULTS_FILE: resultFile,
        PYTHONDONTWRITEBYTECODE: '1',
      },
      timeoutMs: RUN_TIMEOUT_MS,
      resultFile,
      parseResults: parsePythonReport,
    });
  }, RUN_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await service?.stop();
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
  });

  test.each(SDK_CONFORMANCE_SCENARIOS)('%s', (scenario) => {
    const result = run.results.get(scenario);
    if (!result) throw new Error(`Python reported no result for ${scenario} (exit ${run.exitCode}). Its output ends:\n${run.outputTail}`);
    if (result.outcome !== 'passed') throw new Error(`${scenario} ${result.outcome} in Python:\n${result.message}`);
  });

  it('runs exactly the listed scenarios and exits cleanly', () => {
    expect([...run.results.keys()].sort()).toEqual([...SDK_CONFORMANCE_SCENARIOS].sort());
    if (run.exitCode !== 0) throw new Error(`Python exited ${run.exitCode}. Its output ends:\n${run.outputTail}`);
  });
});
