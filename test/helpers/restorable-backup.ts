import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateClient } from '@azure/keyvault-certificates';
import { TABLES } from '../../shared/names';
import type { ServiceUnderTest } from './service-under-test';

/**
 * A backup blob whose certificate is no longer in the vault, for the backup_restored conformance scenario:
 * made with the JS SDK (a Self certificate, backed up), then the certificate's rows removed from storage,
 * which is what a purge leaves. An SDK restores it into the free name and reads it back. Its own backups
 * cannot give it a free name until delete and purge exist (restoring over a live name is 409), and a second
 * vault in the same process is not possible: the local host serves one app per process.
 */
export interface RestorableBackup {
  /** The blob's bytes, as the SDKs' backup calls return them. */
  file: string;
  name: string;
  /** The certificate's version when it was backed up: the restored latest version. */
  version: string;
}

/** What the SDK programs read (test/dotnet, test/python). */
export function restorableBackupEnv(backup: RestorableBackup): Record<string, string> {
  return { KV_RESTORABLE_BACKUP_FILE: backup.file, KV_RESTORABLE_NAME: backup.name, KV_RESTORABLE_VERSION: backup.version };
}

export async function prepareRestorableBackup(service: ServiceUnderTest, dir: string, name: string): Promise<RestorableBackup> {
  const client = new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
  const poller = await client.beginCreateCertificate(name, { issuerName: 'Self', subject: `CN=${name}` }, { intervalInMs: 100 });
  const version = (await poller.pollUntilDone()).properties.version;
  const blob = await client.backupCertificate(name);
  if (!version || !blob) throw new Error(`could not prepare a backup of ${name}`);
  await removeCertificateRows(service, name);
  const file = join(dir, `${name}.backup`);
  writeFileSync(file, blob);
  return { file, name, version };
}

/** Every row of one certificate's partition, gone. */
async function removeCertificateRows(service: ServiceUnderTest, name: string): Promise<void> {
  const table = service.table(TABLES.certificates);
  const partition = name.toLowerCase();
  for await (const row of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${partition}'`, select: ['RowKey'] } })) {
    await table.deleteEntity(partition, row.rowKey ?? '');
  }
}
