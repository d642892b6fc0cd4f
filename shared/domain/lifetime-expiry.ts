import type { LifetimeSubject } from './lifetime-trigger';

/**
 * When a certificate's latest version expires: Key Vault raises `CertificateExpired` once for it, for every
 * certificate, whatever its policy's lifetime action (docs/storage-design.md, "Lifetime: a due index").
 */
export interface ExpiryDue {
  /** The latest version, the one that expires. */
  version: string;
  /** Unix seconds: its `expires`, when the sweep tells it. */
  expiresAt: number;
}

/** The latest version's expiry, or undefined when there is none to tell (deleted, or no issued version). */
export function expiryDueOf(head: LifetimeSubject | undefined): ExpiryDue | undefined {
  const expires = head?.latest?.expires;
  if (!head || head.deletion || expires === undefined) return undefined;
  return { version: head.latestVersion, expiresAt: expires };
}
