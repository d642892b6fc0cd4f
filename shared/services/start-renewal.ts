import { ariCertIdOfCertificate } from '../crypto/ari-cert-id';
import type { PendingOperation } from '../domain/pending-operation';
import type { RenewalOrigin } from '../domain/renewal-status';
import type { CertificateHead } from '../storage/repositories';
import { startIssuedVersion } from './create-certificate';
import { recordRenewalStarted } from './renewal-outcome';
import { assertIssuerCanRenew } from './renewal-issuer';
import type { ServiceContext } from './service-context';

/**
 * Starts an automatic renewal: a new version through the create path with the certificate's current policy and
 * the latest version's tags and attributes. The operation carries its origin, so the paths that end it record
 * the outcome (renewal-outcome.ts), and names the certificate it replaces for a CA that takes that (ACME ARI).
 * The lifetime sweep calls it at the policy's trigger, the renewal-information checks inside a CA's window.
 * Throws what the create path throws (409 while another version is being made) and an issuer that cannot renew.
 */
export async function startRenewal(ctx: ServiceContext, head: CertificateHead, origin: RenewalOrigin): Promise<PendingOperation> {
  await assertIssuerCanRenew(ctx, head.policy);
  const operation = await startIssuedVersion(
    ctx,
    head.name,
    head.policy,
    { attributes: { enabled: head.policy.enabled }, tags: head.latest?.tags ?? {}, preserveCertOrder: head.latest?.preserveCertOrder ?? false },
    { origin, ...replacedCertIdOf(head) },
  );
  await recordRenewalStarted(ctx, head.name, operation.requestId, origin);
  await ctx.lifetimeEvents.renewalStarted({ name: head.name, version: operation.version, requestId: operation.requestId, attempt: origin.attempt });
  return operation;
}

/** The renewal's `replaces` (RFC 9773 §5): the certID of the latest version's leaf, when it has one. */
export function replacedCertIdOf(head: Pick<CertificateHead, 'latest'>): { replaces?: string } {
  const leaf = head.latest?.chain[0];
  const certId = leaf ? ariCertIdOfCertificate(Buffer.from(leaf, 'base64')) : undefined;
  return certId ? { replaces: certId } : {};
}
