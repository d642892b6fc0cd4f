import type { ParsedCertificate } from '../crypto/certificate-chain';
import { unixSeconds } from '../domain/clock';
import { type CertificateVersion, withoutKey } from '../domain/certificate-version';
import { type PendingOperation, certificatePolicyOf, completed } from '../domain/pending-operation';
import type { Stored } from '../storage/repositories';
import { publishCertificateEventAfterCommit } from './certificate-events';
import { changeListedCertificate } from './listing-reconciliation';
import { scheduleLifetimeOf } from './lifetime-entries';
import { tellRenewalEnded } from './renewal-outcome';
import type { ServiceContext } from './service-context';

/** The new version an operation becomes once it has its certificate chain (leaf first). */
export function versionFromChain(
  op: PendingOperation,
  chain: ParsedCertificate[],
  now: number,
  overrides: { enabled?: boolean; tags?: Record<string, string> } = {},
): CertificateVersion {
  const leaf = chain[0];
  if (!leaf) throw new Error('a certificate chain needs a leaf');
  return {
    name: op.name,
    version: op.version,
    enabled: overrides.enabled ?? op.enabled,
    notBefore: Math.floor(leaf.notBefore.getTime() / 1000),
    expires: Math.floor(leaf.notAfter.getTime() / 1000),
    created: now,
    updated: now,
    tags: overrides.tags ?? op.tags,
    chain: chain.map((c) => c.der.toString('base64')),
    x5t: leaf.x5t,
    keySpec: op.policy.key,
    exportable: op.policy.key.exportable,
    sealedPrivateKey: op.sealedPrivateKey,
    publicKeySpki: op.publicKeySpki,
    secretContentType: op.policy.secretContentType,
    policy: op.policy,
    preserveCertOrder: op.preserveCertOrder,
  };
}

/**
 * Completes an operation with its chain: operation, version and head are written in one conditional batch,
 * so a crash leaves either the old state or the new one. The issuer job that calls it then removes the
 * operation's first status-sweep entry (removeFirstStatusEntry); any later one is left for the sweep, which
 * deletes entries whose operation has moved on when they come due.
 */
export async function finishOperation(
  ctx: ServiceContext,
  stored: Stored<PendingOperation>,
  chain: ParsedCertificate[],
  overrides: { enabled?: boolean; tags?: Record<string, string> } = {},
): Promise<{ operation: PendingOperation; version: CertificateVersion }> {
  const now = unixSeconds(ctx.clock);
  const op = stored.value;
  const version = versionFromChain(op, chain, now, overrides);
  const operation = completed(op, now);
  await writeCompletedVersion(ctx, operation, stored.etag, version);
  return { operation, version };
}

/**
 * A new completed version becomes the certificate's latest: the operation that made it (replacing the one
 * read at `etag`, or created when there was none), the version row and the head, in one conditional batch.
 * Create completion, merge and import all end here, so every new version is written the same way, and each
 * is told as Key Vault tells it: one CertificateNewVersionCreated, written once the batch has landed; a
 * renewal's operation also records its outcome (renewal-outcome.ts).
 */
export async function writeCompletedVersion(
  ctx: ServiceContext,
  operation: PendingOperation,
  etag: string | undefined,
  version: CertificateVersion,
): Promise<void> {
  const head = {
    name: operation.name,
    // A policy update made while the operation ran is the certificate's policy from now on.
    policy: certificatePolicyOf(operation),
    latestVersion: version.version,
    latest: withoutKey(version),
  };
  // The new version's lifetime entry first: a crash after the batch must not leave it unscheduled.
  await scheduleLifetimeOf(ctx, head);
  await changeListedCertificate(ctx, operation.name, () => ctx.certificates.completeOperation(operation, etag, version, head), { operation, head });
  await publishCertificateEventAfterCommit(ctx, 'newVersionCreated', version);
  await tellRenewalEnded(ctx, operation);
}
