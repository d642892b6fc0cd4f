import { randomUUID } from 'node:crypto';
import { errors } from '../api/errors';
import { certificateId } from '../api/wire/identifiers';
import type { CertificatePolicy } from '../domain/certificate-policy';
import { type CertificateVersion, withoutKey } from '../domain/certificate-version';
import { unixSeconds } from '../domain/clock';
import type { PendingOperation } from '../domain/pending-operation';
import { WriteConflictError } from '../storage/storage-errors';
import { type CertificateBackup, decodeBackup } from './backup-blob';
import { changeListedCertificate } from './listing-reconciliation';
import { scheduleLifetimeOf } from './lifetime-entries';
import { sealVersionKey } from './new-version';
import type { ServiceContext } from './service-context';

export interface RestoredCertificateView {
  latest: CertificateVersion;
  policy: CertificatePolicy;
}

/**
 * POST /certificates/restore: a backup blob becomes the certificate again, under its own name and version
 * ids, with every key re-sealed under this deployment's key-encryption key. Only into a name with nothing
 * in it: a live certificate (a pending first version included) is Key Vault's restore 409, a soft-deleted
 * one its ObjectIsDeletedButRecoverable 409. The versions are written first and the head last, as the commit
 * point (CertificateRepository.restore), then the list index is refreshed.
 *
 * `vault` is the vault URL the caller used: Key Vault's conflict message names the certificate by its id.
 */
export async function restoreCertificateBackup(ctx: ServiceContext, value: string, vault: string): Promise<RestoredCertificateView> {
  const backup = decodeBackup(ctx.keyEncryptionKey, value);
  const conflict = errors.restoreConflict(certificateId(vault, backup.name, backup.latestVersion));
  await assertNameFree(ctx, backup.name, conflict);

  const versions = backup.versions.map(({ version, privateKeyPkcs8 }): CertificateVersion => ({
    ...version,
    ...(privateKeyPkcs8 ? { sealedPrivateKey: sealVersionKey(ctx, version.name, version.version, privateKeyPkcs8) } : {}),
  }));
  const latest = versions.find((v) => v.version === backup.latestVersion) as CertificateVersion;
  const head = { name: backup.name, policy: backup.policy, latestVersion: latest.version, latest: withoutKey(latest) };
  await scheduleLifetimeOf(ctx, head);
  try {
    await changeListedCertificate(ctx, backup.name, () => ctx.certificates.restore({ head, operation: restoredOperation(backup, latest, unixSeconds(ctx.clock)), versions }));
  } catch (error) {
    if (!(error instanceof WriteConflictError)) throw error;
    // The name was taken while the blob was read: say by what, as if this request had come second.
    await assertNameFree(ctx, backup.name, conflict);
    throw conflict;
  }
  return { latest, policy: backup.policy };
}

async function assertNameFree(ctx: ServiceContext, name: string, conflict: Error): Promise<void> {
  const { operation, head: stored } = await ctx.certificates.getOperationAndHead(name);
  const head = stored?.value;
  if (head?.deletion) throw head.deletion.purging ? errors.certificateBeingDeleted() : errors.certificateDeletedButRecoverable(head.name);
  if (head || operation) throw conflict;
}

/**
 * The `pending` row a restore writes with the head: the latest version's operation, completed and not
 * visible (as an import's is), so that creates serialise with the restored certificate on its ETag.
 */
function restoredOperation(backup: CertificateBackup, latest: CertificateVersion, now: number): PendingOperation {
  return {
    name: backup.name,
    requestId: randomUUID().replace(/-/g, ''),
    version: latest.version,
    policy: latest.policy,
    currentPolicy: backup.policy,
    enabled: latest.enabled,
    tags: latest.tags,
    preserveCertOrder: latest.preserveCertOrder,
    csr: '',
    sealedPrivateKey: latest.sealedPrivateKey ?? '',
    publicKeySpki: latest.publicKeySpki,
    cancellationRequested: false,
    status: 'completed',
    deleted: true,
    created: now,
    updated: now,
    job: { attempts: 0 },
  };
}
