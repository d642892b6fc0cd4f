import { createCsr } from '../../../shared/crypto/csr';
import { generateKeyPair } from '../../../shared/crypto/key-pair';
import { profileOfPolicy } from '../../../shared/crypto/profile-of-policy';
import { signCsrWithCa } from '../../../shared/crypto/sign-csr-with-ca';
import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import { selfSignedProvider } from '../../../shared/issuers/self-signed-provider';
import { OpenSsl, derToPem } from '../crypto/helpers';

const openssl = new OpenSsl();
afterAll(() => openssl.cleanup());

const NOW = new Date('2025-06-01T00:00:00Z');

/** What `Self` issues for a policy, as the job would ask it. */
async function selfIssued(x509Props: { subject: string; key_usage?: string[] }): Promise<{ der: Buffer; privateKeyPkcs8: Buffer }> {
  const policy = resolvePolicy({ key_props: { kty: 'EC', crv: 'P-256' }, x509_props: x509Props, issuer: { name: 'Self' } }, NOW.getTime() / 1000);
  const keys = await generateKeyPair(policy.key);
  const step = await selfSignedProvider().start({
    name: 'c',
    requestId: 'r',
    version: 'v',
    issuerName: 'Self',
    csrDer: await createCsr(keys, policy.key, profileOfPolicy(policy)),
    policy,
    privateKeyPkcs8: () => keys.privateKeyPkcs8,
    publicKeySpki: keys.publicKeySpki,
    now: NOW,
  });
  if (step.kind !== 'issued') throw new Error(`expected issued, got ${step.kind}`);
  return { der: step.chainDer[0] as Buffer, privateKeyPkcs8: keys.privateKeyPkcs8 };
}

describe('Self with a CA policy', () => {
  it('issues a proper root CA when the key usage has keyCertSign, which can then sign a leaf OpenSSL accepts', async () => {
    const policy = { subject: 'CN=Corp Root CA, O=Corp', key_usage: ['keyCertSign', 'cRLSign'] };
    const { der: root, privateKeyPkcs8 } = await selfIssued(policy);
    const text = openssl.certText(root);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign\n/);

    const leafPolicy = resolvePolicy({ key_props: { kty: 'RSA' }, x509_props: { subject: 'CN=svc.corp.example.com' } }, NOW.getTime() / 1000);
    const leafKeys = await generateKeyPair(leafPolicy.key);
    const signed = await signCsrWithCa({
      ca: { chainDer: [root], privateKeyPkcs8 },
      csrDer: await createCsr(leafKeys, leafPolicy.key, profileOfPolicy(leafPolicy)),
      profile: profileOfPolicy(leafPolicy),
      validityMonths: leafPolicy.validityMonths,
      now: NOW,
    });
    const file = (der: Buffer): string => openssl.file(derToPem('CERTIFICATE', der));
    const verified = openssl.run(['verify', '-attime', String(NOW.getTime() / 1000 + 3600), '-purpose', 'sslserver', '-CAfile', file(root), file(signed.chainDer[0] as Buffer)]);
    expect(verified.trim()).toMatch(/: OK$/);
  });

  it('keeps an ordinary policy a leaf: CA:false, the policy key usage only', async () => {
    const text = openssl.certText((await selfIssued({ subject: 'CN=www.example.com' })).der);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).not.toContain('Certificate Sign');
  });
});
