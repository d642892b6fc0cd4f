import { join } from 'node:path';
import { findPythonWithSdk, runPythonTests, type PythonRun } from '../helpers/python-sdk';
import { SDK_CONFORMANCE_SCENARIOS } from '../helpers/sdk-conformance';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * The official Python SDK (azure-keyvault-certificates and -secrets, unmodified, default client options) runs
 * the conformance scenarios in test/python against the service over HTTPS, and each scenario must have run
 * and passed. Without a Python that has the SDK this says why and skips, except in CI, where it fails.
 */
const SCRIPT = join(__dirname, '..', 'python', 'test_sdk_conformance.py');
const python = findPythonWithSdk();
const inCi = process.env.CI === 'true';

if (!python.found && !inCi) console.warn(`Skipping the Python SDK conformance tests: ${python.reason}`);
const describeWithPython = python.found || inCi ? describe : describe.skip;

/** Bearer tokens only go over HTTPS in azure-core, so the SDK needs the service's TLS endpoint and its CA. */
function httpsEndpointOf(service: ServiceUnderTest & { httpsUrl?: string; caCertFile?: string }) {
  if (!service.httpsUrl || !service.caCertFile) throw new Error('startService() gave no HTTPS endpoint (httpsUrl, caCertFile): the Python SDK needs one.');
  return { url: service.httpsUrl, caCertFile: service.caCertFile };
}

describeWithPython('the official Python SDK runs every conformance scenario', () => {
  let service: ServiceUnderTest | undefined;
  let run: PythonRun;

  beforeAll(async () => {
    if (!python.found) throw new Error(`CI must run the Python SDK conformance tests, but ${python.reason}`);
    service = await startService();
    const endpoint = httpsEndpointOf(service);
    run = await runPythonTests(python.python, SCRIPT, {
      KV_VAULT_URL: endpoint.url,
      KV_TOKEN: await service.token({ lifetimeSeconds: 3600 }),
      REQUESTS_CA_BUNDLE: endpoint.caCertFile,
    });
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
  });

  test.each(SDK_CONFORMANCE_SCENARIOS)('%s', (scenario) => {
    const outcome = run.scenarios[scenario];
    if (!outcome) throw new Error(`Python did not run ${scenario} (exit ${run.exitCode}):\n${run.stderr}`);
    if (outcome.outcome !== 'passed') throw new Error(`${scenario} ${outcome.outcome} in Python:\n${outcome.detail ?? ''}`);
  });

  it('runs exactly the listed scenarios and exits cleanly', () => {
    expect(Object.keys(run.scenarios).sort()).toEqual([...SDK_CONFORMANCE_SCENARIOS].sort());
    if (run.exitCode !== 0) throw new Error(`Python exited ${run.exitCode}:\n${run.stderr}${run.stdout}`);
  });
});
