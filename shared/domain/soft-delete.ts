/**
 * Soft delete as Key Vault describes it: a deleted certificate stays recoverable for the vault's retention
 * period (7-90 days), then is purged. The recovery level every object shows follows from that period.
 */

export const MIN_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 90;
export const DEFAULT_RETENTION_DAYS = 90;

const DAY_SECONDS = 86_400;

/** What `attributes.recoveryLevel` and `attributes.recoverableDays` say on every certificate, key and secret. */
export interface Recovery {
  recoveryLevel: 'Recoverable+Purgeable' | 'CustomizedRecoverable+Purgeable';
  recoverableDays: number;
}

/**
 * Key Vault calls the default 90 days `Recoverable`, and a retention the vault's owner shortened
 * `CustomizedRecoverable`; purge protection is not offered, so both are `+Purgeable`.
 */
export function recoveryOf(retentionDays: number): Recovery {
  return {
    recoveryLevel: retentionDays < MAX_RETENTION_DAYS ? 'CustomizedRecoverable+Purgeable' : 'Recoverable+Purgeable',
    recoverableDays: retentionDays,
  };
}

/**
 * Whether a deletion is still under way at `now` (DELETION_MIN_SECONDS): Key Vault takes a moment before a
 * deleted certificate appears under /deletedcertificates, and callers' pollers (the SDKs' delete pollers,
 * their resume tests) are written for that. Meanwhile the deleted certificate is not found and recover or
 * purge are refused as "being deleted", as Key Vault answers them.
 */
export function deletionUnderWay(deletion: { deletedDate: number }, now: number, deletionMinSeconds: number): boolean {
  return now < deletion.deletedDate + deletionMinSeconds;
}

/** When a certificate deleted at `now` (unix seconds) is purged unless recovered first. */
export function deletionAt(now: number, retentionDays: number): { deletedDate: number; scheduledPurgeDate: number } {
  return { deletedDate: now, scheduledPurgeDate: now + retentionDays * DAY_SECONDS };
}
