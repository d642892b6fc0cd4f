import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { CertificateClient, WellKnownIssuer } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { TABLES } from '../../shared/names';
import { readPemSecret, readPfxSecret } from '../helpers/secret-checks';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * backupCertificate and restoreCertificateBackup through the JS SDK: a certificate with two versions (one
 * created by Self, one imported) is backed up, its rows removed from the table (as a purge leaves it), and
 * restored; then getCertificate, the versions list and getSecret work as before, the secret's key matching
 * its certificate.
 */
let service: ServiceUnderTest;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const fixture = (file: string): Buffer => readFileSync(join(__dirname, '../fixtures/import', file));

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

const certificates = () => new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
const secrets = () => new SecretClient(service.httpsUrl, service.credential, service.sdkOptions);

/** Every row of one certificate, gone: what a purge leaves, and the state a restore needs. */
async function removeRows(name: string): Promise<void> {
  const table: TableClient = service.table(TABLES.certificates);
  const partition = name.toLowerCase();
  for await (const row of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${partition}'`, select: ['RowKey'] } })) {
    await table.deleteEntity(partition, row.rowKey ?? '');
  }
}

describe('backup and restore through the JS SDK', () => {
  it('restores every version, the policy and the keys of a certificate whose rows were removed', async () => {
    const name = uniqueName('sdk-backup');
    const poller = await certificates().beginCreateCertificate(
      name,
      { issuerName: WellKnownIssuer.Self, subject: 'CN=backup.example', contentType: 'application/x-pem-file' },
      { tags: { gen: '1' }, intervalInMs: 100 },
    );
    const created = await poller.pollUntilDone();
    const imported = await certificates().importCertificate(name, fixture('rsa-aes.pfx'), { password: 's3cret', tags: { gen: '2' } });
    const before = await certificates().getCertificate(name);

    const backup = await certificates().backupCertificate(name);
    expect(backup?.length).toBeGreaterThan(100);

    await removeRows(name);
    await expect(certificates().getCertificate(name)).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });

    const restored = await certificates().restoreCertificateBackup(backup as Uint8Array);
    expect(restored.name).toBe(name);
    expect(restored.properties.version).toBe(imported.properties.version);
    expect(restored.properties.tags).toEqual({ gen: '2' });
    expect(restored.policy).toEqual(before.policy);
    expect(Buffer.from(restored.cer ?? []).equals(Buffer.from(before.cer ?? []))).toBe(true);

    const got = await certificates().getCertificate(name);
    expect(got.properties.version).toBe(imported.properties.version);
    const versions: string[] = [];
    for await (const item of certificates().listPropertiesOfCertificateVersions(name)) versions.push(item.version ?? '');
    expect(versions.sort()).toEqual([created.properties.version, imported.properties.version].sort());
    const first = await certificates().getCertificateVersion(name, created.properties.version ?? '');
    expect(first.properties.tags).toEqual({ gen: '1' });

    // The imported version's secret: the PFX with its own key (the policy's content type at import time).
    const latestSecret = await secrets().getSecret(name);
    const latest = readPfxSecret(latestSecret.value ?? '');
    expect(latest.certificates[0]?.raw.equals(new X509Certificate(fixture('rsa.crt')).raw)).toBe(true);
    expect(latest).toMatchObject({ hasPrivateKey: true, keyMatchesLeaf: true });
    // The created version's secret, PEM, with the key made at create.
    const firstSecret = await secrets().getSecret(name, { version: created.properties.version ?? '' });
    const firstContents = readPemSecret(firstSecret.value ?? '');
    expect(firstContents.certificates[0]?.raw.equals(Buffer.from(created.cer ?? []))).toBe(true);
    expect(firstContents).toMatchObject({ hasPrivateKey: true, keyMatchesLeaf: true });
  });

  it('refuses to restore over the certificate while it exists (409), and backs up nothing for an unknown name (404)', async () => {
    const name = uniqueName('sdk-taken');
    await certificates().importCertificate(name, fixture('ec.pem'));
    const backup = await certificates().backupCertificate(name);
    await expect(certificates().restoreCertificateBackup(backup as Uint8Array)).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    await expect(certificates().backupCertificate(uniqueName('sdk-none'))).rejects.toMatchObject({ statusCode: 404, code: 'CertificateNotFound' });
  });
});
