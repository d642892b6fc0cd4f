import { type CertificateEvent, type CertificateEventKind, type EventContact, type EventVersion, certificateEvent } from '../events/certificate-event';
import type { ServiceContext } from './service-context';

export interface PublishOptions {
  /**
   * What tells this occurrence apart from another of the same kind for the same version; the event id is
   * derived from it (see certificateEvent). A near-expiry notice passes its due time, a failed renewal its
   * request id and attempt; a new version passes nothing (it happens once).
   */
  occurrence?: string;
  /** CertificateRenewalFailed: why, in Key Vault's error shape. */
  error?: { code: string; message: string };
  /** CertificateNearExpiry: the vault's contacts, for the receiver to address (ours, `data.Contacts`). */
  contacts?: readonly EventContact[];
}

/**
 * Tells a certificate event: one write to the events outbox, whatever is subscribed (the fan-out function
 * does the rest, off the caller's path). This is what the lifetime sweep, AutoRenew and version completion
 * call. Throws what the write threw; see publishCertificateEventAfterCommit for a caller that must not fail.
 */
export async function publishCertificateEvent(
  ctx: Pick<ServiceContext, 'events' | 'vaultUrl' | 'clock'>,
  kind: CertificateEventKind,
  version: EventVersion,
  options: PublishOptions = {},
): Promise<CertificateEvent> {
  const event = certificateEvent({ kind, vaultUrl: ctx.vaultUrl, version, at: ctx.clock(), ...options });
  await ctx.events.send(event);
  return event;
}

/**
 * For a change already committed (a new version written): the event is told, and a failed write of it is
 * reported, not thrown. Throwing would fail a request whose change stands, and a caller who retries an
 * import or merge would make a second version. So this event is at-most-once when the queue write fails
 * (after the storage client's own retries) just after the table batch succeeded; docs/events.md says so.
 */
export async function publishCertificateEventAfterCommit(ctx: ServiceContext, kind: CertificateEventKind, version: EventVersion, options: PublishOptions = {}): Promise<void> {
  try {
    await publishCertificateEvent(ctx, kind, version, options);
  } catch (error) {
    ctx.warn(`Certificate event ${kind} for ${version.name}/${version.version} was not written to the events outbox: ${error instanceof Error ? error.message : String(error)}`);
  }
}
