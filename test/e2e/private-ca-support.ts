import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateClient, type CertificatePolicy } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually } from '../helpers/service-under-test';

/** Shared by the PrivateCA e2e files (docs/private-ca.md); each file has a service of its own. */

export const fastPolling = { intervalInMs: 100 };
export const CA_POLICY: CertificatePolicy = {
  issuerName: 'Self',
  subject: 'CN=Corp Root CA, O=Corp',
  keyUsage: ['keyCertSign', 'cRLSign'],
  enhancedKeyUsage: [],
  validityInMonths: 60,
};

/** What a relying party does: trusts only the root, takes the rest of the chain as untrusted intermediates. */
export function opensslVerify(root: X509Certificate, chain: X509Certificate[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'private-ca-e2e-'));
  try {
    let files = 0;
    const pemFile = (certificates: X509Certificate[]) => {
      const path = join(dir, `f${files++}.pem`);
      writeFileSync(path, certificates.map((c) => c.toString()).join(''));
      return path;
    };
    const [leaf, ...rest] = chain;
    const intermediates = rest.filter((c) => c.fingerprint256 !== root.fingerprint256);
    const args = ['verify', '-purpose', 'sslserver', '-CAfile', pemFile([root]), ...(intermediates.length ? ['-untrusted', pemFile(intermediates)] : []), pemFile([leaf as X509Certificate])];
    return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function clientsOf(service: ServiceUnderTest) {
  return {
    certificates: new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions),
    secrets: new SecretClient(service.httpsUrl, service.credential, service.sdkOptions),
    raw: rawClient(service.url, () => service.token()),
  };
}

/**
 * The operation once it shows `status`, read on the wire: the JS SDK's operation poller throws on a failed
 * operation instead of answering it, so a failure's code is only seen this way.
 */
export function operationWhen(service: ServiceUnderTest, name: string, status: string) {
  const raw = rawClient(service.url, () => service.token());
  return eventually(`${name} to be ${status}`, async () => {
    const response = await raw.request('GET', `/certificates/${name}/pending`);
    const body = response.body as { status?: string; error?: { code: string; message: string }; csr?: string; cancellation_requested?: boolean };
    return body.status === status ? body : undefined;
  });
}
