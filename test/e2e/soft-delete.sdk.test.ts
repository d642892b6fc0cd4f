import { CertificateClient, DefaultCertificatePolicy } from '@azure/keyvault-certificates';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * Soft delete through the JS SDK: beginDeleteCertificate (its poller waits on GET /deletedcertificates),
 * getDeletedCertificate, beginRecoverDeletedCertificate (its poller starts with GET /certificates/{name}/),
 * purgeDeletedCertificate, and a create of a deleted name. The service keeps deleted certificates 7 days, so the recovery level is
 * the customised one.
 */
let service: ServiceUnderTest;
let client: CertificateClient;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const DAY_MS = 86_400_000;
const fast = { intervalInMs: 100 };

beforeAll(async () => {
  service = await startService({ SOFT_DELETE_RETENTION_DAYS: '7' });
  client = new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
});
afterAll(() => service?.stop());

async function createIssued(name: string) {
  const poller = await client.beginCreateCertificate(name, DefaultCertificatePolicy, fast);
  return poller.pollUntilDone();
}

describe('soft delete through the JS SDK', () => {
  it('deletes, reads the deleted certificate, and recovers it as it was', async () => {
    const name = uniqueName('sdk-deleted');
    const created = await createIssued(name);
    expect(created.properties).toMatchObject({ recoveryLevel: 'CustomizedRecoverable+Purgeable', recoverableDays: 7 });

    const deleting = await client.beginDeleteCertificate(name, fast);
    const deleted = await deleting.pollUntilDone();
    expect(deleted.name).toBe(name);
    expect(deleted.recoveryId).toBe(`${service.httpsUrl}/deletedcertificates/${name}`);
    expect(deleted.properties.version).toBe(created.properties.version);
    expect(deleted.properties).toMatchObject({ recoveryLevel: 'CustomizedRecoverable+Purgeable', recoverableDays: 7 });
    expect(deleted.scheduledPurgeDate && deleted.deletedOn && deleted.scheduledPurgeDate.getTime() - deleted.deletedOn.getTime()).toBe(7 * DAY_MS);

    const read = await client.getDeletedCertificate(name);
    expect({ ...read, policy: undefined }).toEqual({ ...deleted, policy: undefined });
    expect(read.policy?.subject).toBe(created.policy?.subject);
    await expect(client.getCertificate(name)).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });

    const recovering = await client.beginRecoverDeletedCertificate(name, fast);
    const recovered = await recovering.pollUntilDone();
    expect(recovered.properties.version).toBe(created.properties.version);
    expect(recovered.cer).toEqual(created.cer);
    expect((await client.getCertificate(name)).properties.version).toBe(created.properties.version);
    await expect(client.getDeletedCertificate(name)).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });
  });

  it('purges a deleted certificate, after which its name takes a new certificate', async () => {
    const name = uniqueName('sdk-purged');
    const first = await createIssued(name);
    await (await client.beginDeleteCertificate(name, fast)).pollUntilDone();
    await client.purgeDeletedCertificate(name);
    await expect(client.getDeletedCertificate(name)).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });
    const second = await createIssued(name);
    expect(second.properties.version).not.toBe(first.properties.version);
    const versions = [];
    for await (const properties of client.listPropertiesOfCertificateVersions(name)) versions.push(properties.version);
    expect(versions).toEqual([second.properties.version]);
  });

  it('refuses to create a certificate under a deleted name with 409 Conflict', async () => {
    const name = uniqueName('sdk-reuse');
    await createIssued(name);
    await (await client.beginDeleteCertificate(name, fast)).pollUntilDone();
    await expect(client.beginCreateCertificate(name, DefaultCertificatePolicy, fast)).rejects.toMatchObject({
      statusCode: 409,
      code: 'Conflict',
      message: expect.stringContaining('is currently in a deleted but recoverable state'),
    });
  });
});
