import type { CertificateContact } from '../domain/certificate-contact';
import { publishCertificateEvent } from './certificate-events';
import type { ServiceContext } from './service-context';

/**
 * What the lifetime sweep tells the outside world. The deployment tells it as certificate events
 * (`eventsForLifetime`: Key Vault's Event Grid schema, through the events outbox, docs/events.md); service tests
 * hand in a recorder.
 */
export interface LifetimeEvents {
  /**
   * An EmailContacts action came due for this version: Key Vault's CertificateNearExpiry, once per occurrence,
   * addressed to the vault's contacts (empty when none are set: the notice is still raised, see docs/events.md).
   */
  nearExpiry(certificate: LifetimeVersion & { dueAt: number; contacts: readonly CertificateContact[] }): Promise<void>;
  /** The latest version has expired: Key Vault's CertificateExpired, once per version. */
  expired(certificate: LifetimeVersion): Promise<void>;
  /** An AutoRenew action started a new version (its operation's request id). */
  renewalStarted(certificate: { name: string; version: string; requestId: string; attempt: number }): Promise<void>;
  /**
   * An AutoRenew action could not start a new version, or the operation it started (`requestId`) failed; it is
   * retried at `retryAt` (unix seconds). The version is the one still in service.
   */
  renewalFailed(certificate: LifetimeVersion & { error: { code: string; message: string }; attempt: number; retryAt: number; requestId?: string }): Promise<void>;
}

/** The version a lifetime action is about, with its validity (unix seconds). */
export interface LifetimeVersion {
  name: string;
  version: string;
  notBefore: number;
  expires: number;
}

export const noLifetimeEvents: LifetimeEvents = {
  nearExpiry: async () => undefined,
  expired: async () => undefined,
  renewalStarted: async () => undefined,
  renewalFailed: async () => undefined,
};

/**
 * The sweep's news as certificate events. Each occurrence has its own key (the due time of a notice, the
 * version that expired, the number of a failed attempt and its request id), so a sweep that tells one again after a crash repeats the same event id. A write
 * that fails throws: the sweep keeps the entry due and tells it at its next run. A started renewal raises no
 * event of its own: the new version's CertificateNewVersionCreated tells it when it completes.
 */
export function eventsForLifetime(ctx: Pick<ServiceContext, 'events' | 'vaultUrl' | 'clock'>): LifetimeEvents {
  return {
    async nearExpiry(certificate) {
      await publishCertificateEvent(ctx, 'nearExpiry', certificate, { occurrence: String(certificate.dueAt), contacts: certificate.contacts });
    },
    async expired(certificate) {
      await publishCertificateEvent(ctx, 'expired', certificate, { occurrence: certificate.version });
    },
    renewalStarted: async () => undefined,
    async renewalFailed(certificate) {
      // An attempt that started has its request id in the key: an attempt fails either to start or later, once.
      const occurrence = certificate.requestId ? `attempt-${certificate.attempt}-${certificate.requestId}` : `attempt-${certificate.attempt}`;
      await publishCertificateEvent(ctx, 'renewalFailed', certificate, { occurrence, error: certificate.error });
    },
  };
}

/**
 * The vault's contacts for one sweep run: read at the first notice that needs them, then reused, so a run
 * costs one contacts read however many notices it raises (and none when it raises none). A run is short
 * (one batch); a change to the contacts during it shows from the next run on. A failed read is not kept:
 * the notice that needed it fails and stays due, and the next notice reads again.
 */
export function contactsForRun(ctx: Pick<ServiceContext, 'contacts'>): () => Promise<readonly CertificateContact[]> {
  let read: Promise<readonly CertificateContact[]> | undefined;
  return () => {
    read ??= ctx.contacts.get().then(
      (contacts) => contacts ?? [],
      (error: unknown) => {
        read = undefined;
        throw error;
      },
    );
    return read;
  };
}
