import { X509Certificate } from 'node:crypto';
import type { CertificateClient } from '@azure/keyvault-certificates';
import type { SecretClient } from '@azure/keyvault-secrets';
import { readPemSecret, readPfxSecret } from '../helpers/secret-checks';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';
import { CA_POLICY, clientsOf, fastPolling, opensslVerify, operationWhen } from './private-ca-support';

/**
 * A private CA through the official JS SDK (docs/private-ca.md): a root made with Self and a keyCertSign
 * policy, an issuer object `PrivateCA` whose account_id names it, certificates signed by it (and by an
 * intermediate it signed), each chain checked by `openssl verify` against the root alone. Cancellation and
 * merge are in private-ca-cancel-merge.sdk.test.ts (a service with a minimum issuance time).
 */
describe('PrivateCA through the JS SDK', () => {
  let service: ServiceUnderTest;
  let certificates: CertificateClient;
  let secrets: SecretClient;
  let root: X509Certificate;

  beforeAll(async () => {
    service = await startService();
    ({ certificates, secrets } = clientsOf(service));
    const created = await (await certificates.beginCreateCertificate('corp-root', CA_POLICY, fastPolling)).pollUntilDone();
    root = new X509Certificate(Buffer.from(created.cer as Uint8Array));
    await certificates.createIssuer('corp-ca', 'PrivateCA', { accountId: 'corp-root' });
  });
  afterAll(() => service?.stop());

  it('issues a leaf whose PFX secret holds the key and leaf + root, verified by openssl against the root', async () => {
    const poller = await certificates.beginCreateCertificate(
      'svc',
      { issuerName: 'corp-ca', subject: 'CN=svc.corp.example', subjectAlternativeNames: { dnsNames: ['svc.corp.example', 'api.corp.example'] } },
      fastPolling,
    );
    const issued = await poller.pollUntilDone();
    expect(issued.policy?.issuerName).toBe('corp-ca');

    const secret = readPfxSecret((await secrets.getSecret('svc')).value as string);
    expect(secret.keyMatchesLeaf).toBe(true);
    expect(secret.certificates.map((c) => c.subject)).toEqual(['CN=svc.corp.example', 'CN=Corp Root CA\nO=Corp']);
    expect(secret.certificates[0]?.subjectAltName).toBe('DNS:svc.corp.example, DNS:api.corp.example');
    expect(opensslVerify(root, secret.certificates)).toMatch(/: OK$/);
  });

  it('issues through an intermediate that corp-ca issued: a PEM secret of leaf, intermediate, root', async () => {
    const intermediate = await (
      await certificates.beginCreateCertificate(
        'corp-issuing',
        { issuerName: 'corp-ca', subject: 'CN=Corp Issuing CA, O=Corp', keyUsage: ['keyCertSign', 'cRLSign'], enhancedKeyUsage: [] },
        { ...fastPolling, tags: { 'ca-path-length': '0' } },
      )
    ).pollUntilDone();
    expect(intermediate.properties.tags).toEqual({ 'ca-path-length': '0' });
    await certificates.createIssuer('issuing-ca', 'PrivateCA', { accountId: 'corp-issuing' });

    await (
      await certificates.beginCreateCertificate(
        'svc2',
        { issuerName: 'issuing-ca', subject: 'CN=svc2.corp.example', subjectAlternativeNames: { dnsNames: ['svc2.corp.example'] }, contentType: 'application/x-pem-file' },
        fastPolling,
      )
    ).pollUntilDone();
    const secret = readPemSecret((await secrets.getSecret('svc2')).value as string);
    expect(secret.keyMatchesLeaf).toBe(true);
    expect(secret.certificates.map((c) => c.subject)).toEqual(['CN=svc2.corp.example', 'CN=Corp Issuing CA\nO=Corp', 'CN=Corp Root CA\nO=Corp']);
    expect(opensslVerify(root, secret.certificates)).toMatch(/: OK$/);

    // pathlen 0: the intermediate signs leaves only, and says why it will not sign a CA.
    // The SDK polls once before it hands the poller back; when the job has failed by then, that call rejects
    // with the operation's error instead: the same refusal, seen earlier.
    const begun = await certificates.beginCreateCertificate('sub-ca', { ...CA_POLICY, issuerName: 'issuing-ca', subject: 'CN=Sub CA' }, fastPolling).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (begun !== undefined) expect(String(begun)).toContain('allows no further intermediate CA');
    const failed = await operationWhen(service, 'sub-ca', 'failed');
    expect(failed.error).toMatchObject({ code: 'RequestRejected', message: expect.stringContaining('allows no further intermediate CA') });
  });

  it('refuses a PrivateCA issuer with a password, saying why', async () => {
    await expect(certificates.createIssuer('bad-ca', 'PrivateCA', { accountId: 'corp-root', password: 'secret' })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('takes no credentials.pwd'),
    });
  });
});

