import { errors } from '../api/errors';
import { expiryDueOf } from '../domain/lifetime-expiry';
import { type NextLifetimeAction, nextLifetimeActionOf } from '../domain/next-lifetime-action';
import { isVisible } from '../domain/pending-operation';
import type { RenewalStatus } from '../domain/renewal-status';
import type { ServiceContext } from './service-context';

/** What GET /certificates/{name}/lifetime shows: where the certificate is in its life, and its last renewal. */
export interface CertificateLifetime {
  name: string;
  /** The latest issued version and when it expires; absent while the first version is being made. */
  latest?: { version: string; expires: number };
  /** Absent when the policy has no lifetime action, or there is no issued version yet. */
  nextAction?: NextLifetimeAction;
  /** Absent until the lifetime sweep first renews the certificate. */
  lastRenewal?: RenewalStatus;
}

/**
 * Two point reads in parallel (head, renewal status), and the operation only for a certificate with no head
 * (its first version still being made): never the due index, which is keyed by time. A deleted or unknown
 * certificate is Key Vault's 404, as for GET /certificates/{name}/.
 */
export async function getCertificateLifetime(ctx: ServiceContext, name: string): Promise<CertificateLifetime> {
  const [head, lastRenewal] = await Promise.all([ctx.certificates.getHead(name), ctx.renewalStatus.get(name)]);
  if (head?.deletion) throw errors.certificateNotFound(name);
  if (!head) {
    const operation = (await ctx.certificates.getOperation(name))?.value;
    if (!isVisible(operation)) throw errors.certificateNotFound(name);
    return { name: operation.name };
  }
  const expiry = expiryDueOf(head);
  const nextAction = nextLifetimeActionOf(head, lastRenewal);
  return {
    name: head.name,
    ...(expiry ? { latest: { version: expiry.version, expires: expiry.expiresAt } } : {}),
    ...(nextAction ? { nextAction } : {}),
    ...(lastRenewal ? { lastRenewal } : {}),
  };
}
