import { expiryDueOf } from '../domain/lifetime-expiry';
import type { LifetimeEntry } from '../storage/repositories';
import type { ServiceContext } from './service-context';

/**
 * The lifetime sweep's handling of an expiry entry: Key Vault's CertificateExpired, once, when the version
 * the entry was written for is still the certificate's latest and has expired. An entry of a version since
 * replaced (its expiry differs from the latest's), or of a deleted or purged certificate, is dropped without
 * an event. The event goes first and the entry after: a failed write keeps the entry due, and telling it
 * again repeats the same event id (the occurrence is the version).
 */
export async function tellExpiry(ctx: ServiceContext, entry: LifetimeEntry): Promise<'expired' | 'dropped'> {
  const head = await ctx.certificates.getHead(entry.name);
  const expiry = expiryDueOf(head);
  if (!head?.latest || !expiry || expiry.expiresAt !== entry.dueAt) {
    await ctx.lifetimeSchedule.remove(entry);
    return 'dropped';
  }
  await ctx.lifetimeEvents.expired({ name: head.name, version: expiry.version, notBefore: head.latest.notBefore, expires: expiry.expiresAt });
  await ctx.lifetimeSchedule.remove(entry);
  return 'expired';
}
