import { errors } from '../api/errors';
import { openPrivateKey } from '../crypto/key-encryption';
import { withoutKey } from '../domain/certificate-version';
import { encodeBackup } from './backup-blob';
import { keyBinding } from './new-version';
import type { ServiceContext } from './service-context';

/** Key Vault cannot back up more than 500 versions of an object (its documented limit); neither can this. */
export const MAX_BACKUP_VERSIONS = 500;

/**
 * POST /certificates/{name}/backup: every issued version (chain, attributes, tags, key), the current policy
 * and which version is the latest, as one opaque blob (shared/services/backup-blob.ts). One partition read.
 * A certificate with no issued version yet (its first create still pending) has nothing to back up and is
 * not found, as is a soft-deleted one; a version still being requested is not part of the backup.
 */
export async function backupCertificate(ctx: ServiceContext, name: string): Promise<string> {
  const whole = await ctx.certificates.readWhole(name, MAX_BACKUP_VERSIONS);
  const { head } = whole;
  if (!head || head.deletion || whole.versions.length === 0) throw errors.certificateNotFound(name);
  if (whole.moreVersions) throw errors.backupTooManyVersions(head.name, MAX_BACKUP_VERSIONS);
  const versions = whole.versions.map((stored) => ({
    version: withoutKey(stored),
    ...(stored.sealedPrivateKey
      ? { privateKeyPkcs8: openPrivateKey(ctx.keyEncryptionKey, stored.sealedPrivateKey, keyBinding(stored.name, stored.version)) }
      : {}),
  }));
  return encodeBackup(ctx.keyEncryptionKey, { name: head.name, policy: head.policy, latestVersion: head.latestVersion, versions });
}
