import { spawnSync } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateClient, type CertificatePolicy } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import type { ServiceUnderTest } from './service-under-test';

/** What the ACME end-to-end files share: SDK clients, policies for an ACME issuer, and the chain's verdict. */

/** The SDK looks at the operation every 200 ms instead of its default 2 s: Pebble answers in well under that. */
export const fastPolling = { intervalInMs: 200 };

export function sdkClients(service: ServiceUnderTest) {
  return {
    certificates: new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions),
    secrets: new SecretClient(service.httpsUrl, service.credential, service.sdkOptions),
  };
}

/**
 * Creates a certificate and waits for the operation to end, as one promise: a request that fails fast can end
 * before beginCreateCertificate's own first poll, which then rejects instead of pollUntilDone.
 */
export async function createAndWait(certificates: CertificateClient, name: string, policy: CertificatePolicy) {
  return (await certificates.beginCreateCertificate(name, policy, fastPolling)).pollUntilDone();
}

/** A fresh name under example.com, which challtestsrv resolves (to 127.0.0.1) like every name. */
export function uniqueDnsName(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}.example.com`;
}

/** A PEM-secret policy for `issuerName`: CN = the first name, every name a DNS SAN. */
export function acmePolicy(issuerName: string, names: [string, ...string[]]): CertificatePolicy {
  return {
    issuerName,
    subject: `CN=${names[0]}`,
    subjectAlternativeNames: { dnsNames: names },
    keyType: 'EC',
    keyCurveName: 'P-256',
    contentType: 'application/x-pem-file',
  };
}

/** The certificates of a PEM secret, in order (leaf first). */
export function certificatesOfPemSecret(value: string): X509Certificate[] {
  return (value.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
}

/** OpenSSL's verdict on leaf + intermediates against `rootPem`, as a TLS server certificate. */
export function opensslVerify(chain: X509Certificate[], rootPem: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'acme-e2e-'));
  try {
    const [leaf, ...intermediates] = chain;
    writeFileSync(join(dir, 'root.pem'), rootPem);
    writeFileSync(join(dir, 'intermediates.pem'), intermediates.map((c) => c.toString()).join('\n'));
    writeFileSync(join(dir, 'leaf.pem'), leaf?.toString() ?? '');
    const args = ['verify', '-purpose', 'sslserver', '-CAfile', 'root.pem', ...(intermediates.length ? ['-untrusted', 'intermediates.pem'] : []), 'leaf.pem'];
    const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    return `${run.stdout}${run.stderr}`.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function dnsSans(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '').split(', ').map((entry) => entry.replace(/^DNS:/, '')).sort();
}
