import { join } from 'node:path';
import { findPythonWithSdk, parsePythonReport } from '../helpers/python-sdk';
import { describeSdkConformance } from '../helpers/sdk-conformance-suite';

/**
 * The official Python SDK (azure-keyvault-certificates, -secrets and -keys, unmodified, default client options)
 * against the service over HTTPS (azure-core sends bearer tokens only over TLS): test/python runs one
 * unittest per conformance scenario, trusting the service's CA through REQUESTS_CA_BUNDLE as a user would.
 */
const SCRIPT = join(__dirname, '..', 'python', 'test_sdk_conformance.py');
const python = findPythonWithSdk();

describeSdkConformance({
  label: 'Python',
  unavailable: python.found ? undefined : python.reason,
  timeoutMs: 3 * 60_000,
  program: (service, token, reportDir) => ({
    command: python.found ? python.python : 'python3',
    args: [SCRIPT],
    env: {
      KV_VAULT_URL: service.httpsUrl,
      KV_TOKEN: token,
      REQUESTS_CA_BUNDLE: service.caCertFile,
      KV_RESULTS_FILE: join(reportDir, 'results.json'),
      PYTHONDONTWRITEBYTECODE: '1',
    },
    resultFile: join(reportDir, 'results.json'),
    parseResults: parsePythonReport,
  }),
});
