/**
 * What the lifetime sweep tells the outside world. This is the seam the events (Event Grid schema, queue,
 * webhooks) plug into; until they do, the composition root hands in `noLifetimeEvents`, which tells nobody.
 */
export interface LifetimeEvents {
  /** An EmailContacts action came due for this version: Key Vault's CertificateNearExpiry, once per occurrence. */
  nearExpiry(certificate: { name: string; version: string; expires: number }): Promise<void>;
  /** An AutoRenew action started a new version (its operation's request id). */
  renewalStarted(certificate: { name: string; version: string; requestId: string; attempt: number }): Promise<void>;
  /** An AutoRenew action could not start a new version; it is retried at `retryAt` (unix seconds). */
  renewalFailed(certificate: { name: string; version: string; reason: string; attempt: number; retryAt: number }): Promise<void>;
}

export const noLifetimeEvents: LifetimeEvents = {
  nearExpiry: async () => undefined,
  renewalStarted: async () => undefined,
  renewalFailed: async () => undefined,
};
