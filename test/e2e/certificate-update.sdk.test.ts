import { CertificateClient } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { readPemSecret } from '../helpers/secret-checks';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * Property updates through the official JS SDKs over HTTPS: CertificateClient.updateCertificateProperties on
 * the latest and on a version, read back with getCertificate / getCertificateVersion; SecretClient.getSecret
 * of a disabled version (403) and with outContentType. The first three cases are the SDK's own public tests
 * (CRUD.spec.ts), with their names and assertions, the recorder and credential plumbing replaced.
 */
let service: ServiceUnderTest;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-sdkupd-${Date.now().toString(36)}-${++counter}`;
const basicCertificatePolicy = { issuerName: 'Self', subject: 'cn=MyCert' };
const testPollerProperties = { intervalInMs: 100 };

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

const certificates = () => new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
const secrets = () => new SecretClient(service.httpsUrl, service.credential, service.sdkOptions);

describe('Certificates client - create, read, update and delete (the SDK suite, ported)', () => {
  it('can update the tags of a certificate', async () => {
    const client = certificates();
    const certificateName = uniqueName('tags');
    // Not awaited to completion, as in the SDK's test: the update may reach the version while it is requested.
    await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);
    await client.updateCertificateProperties(certificateName, '', { tags: { customTag: 'value' } });

    const updated = await client.getCertificate(certificateName);
    expect(updated.properties.tags?.customTag).toEqual('value');
  });

  it('can disable a certificate', async () => {
    const client = certificates();
    const certificateName = uniqueName('disable');
    const poller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);

    let result = await poller.pollUntilDone();
    expect(result.properties.enabled).toEqual(true);

    result = await client.updateCertificateProperties(certificateName, '', { enabled: false });
    expect(result.properties.enabled).toEqual(false);

    result = await client.getCertificate(certificateName);
    expect(result.properties.enabled).toEqual(false);
  });

  it('can disable a certificate version', async () => {
    const client = certificates();
    const certificateName = uniqueName('disable-version');
    const poller = await client.beginCreateCertificate(certificateName, basicCertificatePolicy, testPollerProperties);

    let result = await poller.pollUntilDone();
    const version = result.properties.version ?? '';
    expect(result.properties.enabled).toEqual(true);

    result = await client.updateCertificateProperties(certificateName, version, { enabled: false });
    expect(result.properties.enabled).toEqual(false);

    result = await client.getCertificateVersion(certificateName, version);
    expect(result.properties.enabled).toEqual(false);
  });
});

describe('updateCertificateProperties', () => {
  it('changes a version by id and leaves the latest as it was; nbf/exp sent by the SDK leave the validity as the certificate says', async () => {
    const client = certificates();
    const name = uniqueName('versions');
    const first = await (await client.beginCreateCertificate(name, basicCertificatePolicy, testPollerProperties)).pollUntilDone();
    const second = await (await client.beginCreateCertificate(name, basicCertificatePolicy, testPollerProperties)).pollUntilDone();

    const updated = await client.updateCertificateProperties(name, first.properties.version ?? '', {
      tags: { generation: 'first' },
      notBefore: new Date('2020-01-01T00:00:00Z'),
      expiresOn: new Date('2040-01-01T00:00:00Z'),
    });
    expect(updated.properties).toMatchObject({ version: first.properties.version, tags: { generation: 'first' } });
    expect([updated.properties.notBefore, updated.properties.expiresOn]).toEqual([first.properties.notBefore, first.properties.expiresOn]);

    expect((await client.getCertificateVersion(name, first.properties.version ?? '')).properties.tags).toEqual({ generation: 'first' });
    const latest = await client.getCertificate(name);
    expect(latest.properties.version).toBe(second.properties.version);
    expect(latest.properties.tags ?? {}).toEqual({});
  });

  it("tags a version still being requested (issuer Unknown stays inProgress): getCertificate shows the tags on the disabled pending version", async () => {
    const client = certificates();
    const name = uniqueName('pending');
    await client.beginCreateCertificate(name, { issuerName: 'Unknown', subject: 'CN=pending' }, testPollerProperties);
    const updated = await client.updateCertificateProperties(name, '', { tags: { stage: 'requested' } });
    expect(updated.properties).toMatchObject({ enabled: false, tags: { stage: 'requested' } });
    expect((await client.getCertificate(name)).properties.tags).toEqual({ stage: 'requested' });
  });

  it('surfaces a missing certificate as a 404 RestError', async () => {
    await expect(certificates().updateCertificateProperties(uniqueName('missing'), '', { enabled: false })).rejects.toMatchObject({
      statusCode: 404,
      code: 'CertificateNotFound',
    });
  });
});

describe('SecretClient.getSecret', () => {
  it('is refused with 403 Forbidden for a disabled version, and answers again once it is enabled', async () => {
    const client = certificates();
    const name = uniqueName('secret-off');
    const issued = await (await client.beginCreateCertificate(name, basicCertificatePolicy, testPollerProperties)).pollUntilDone();
    const version = issued.properties.version ?? '';
    await client.updateCertificateProperties(name, version, { enabled: false });

    await expect(secrets().getSecret(name, { version })).rejects.toMatchObject({
      statusCode: 403,
      code: 'Forbidden',
      message: 'Operation get is not allowed on a disabled secret.',
    });
    await client.updateCertificateProperties(name, version, { enabled: true });
    expect((await secrets().getSecret(name, { version })).properties.enabled).toBe(true);
  });

  it('converts a PKCS#12 secret to PEM with outContentType', async () => {
    const name = uniqueName('secret-pem');
    await (await certificates().beginCreateCertificate(name, basicCertificatePolicy, testPollerProperties)).pollUntilDone();
    const secret = await secrets().getSecret(name, { outContentType: 'application/x-pem-file' });
    expect(secret.properties.contentType).toBe('application/x-pem-file');
    const pem = readPemSecret(secret.value ?? '');
    expect([pem.hasPrivateKey, pem.keyMatchesLeaf]).toEqual([true, true]);
  });
});
