import { isDeepStrictEqual } from 'node:util';
import { type CertificateListing, sameRow } from '../domain/certificate-listing';
import { type VersionWithoutKey, withoutKey } from '../domain/certificate-version';
import type { PendingOperation } from '../domain/pending-operation';
import { validityWindow } from '../domain/validity-window';
import type { CertificateHead } from '../storage/repositories';
import { WriteConflictError } from '../storage/storage-errors';
import { unissued } from './certificate-reads';
import type { ServiceContext } from './service-context';

/**
 * How many read-compare-write passes a refresh makes before it gives up. Each pass that writes lost nothing
 * but time to a concurrent refresh of the same name; only a name changing faster than a pass takes can use
 * them all up.
 */
const MAX_PASSES = 8;

/** What a refresh needs: the certificates it reads and the index it writes. */
export type ListingContext = Pick<ServiceContext, 'certificates' | 'listings'>;

/**
 * Re-derives a certificate's row in the lists' index (CertificateIndex) from its head and its pending
 * operation, and makes the index hold exactly that row: written, moved between the live and deleted lists or
 * between issued and pending-only, or removed. Every change of a certificate calls this after its own write
 * has committed, before it answers, so the caller's next list shows the change: through
 * changeListedCertificate (listing-reconciliation.ts), which leaves a reconcile entry for the status sweep in
 * case the request stops in between.
 *
 * Two refreshes of one name may race, each holding what it read of the head. Each pass reads the index rows
 * first and the head after, then writes only conditionally (insert if absent, replace or delete `If-Match`
 * the ETag it read); a lost race or any write at all means another pass, and a refresh ends only with a pass
 * that found the rows already right. That last pass read the rows before the head, so no older head can be
 * written over them afterwards without its writer, too, re-reading a newer head in a later pass: whatever
 * the interleaving, the index ends up as the newest head says. (docs/storage-design.md explains why this
 * replaces the head revision the design first described.)
 */
export async function refreshListing(ctx: ListingContext, name: string): Promise<void> {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    try {
      if (!(await reconcileOnce(ctx, name))) return;
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
    }
  }
  throw new Error(`The list entry of certificate ${name} did not settle after ${MAX_PASSES} attempts: it is changing faster than it can be indexed.`);
}

/** One pass; true when it wrote something (so the rows it read may no longer be what is stored). */
async function reconcileOnce(ctx: ListingContext, name: string): Promise<boolean> {
  // Rows first, then the head: the order the convergence argument above depends on.
  const rows = await ctx.listings.find(name);
  const wanted = await listingFor(ctx, name);
  let wrote = false;
  if (wanted) {
    const current = rows.find((row) => sameRow(row.value, wanted));
    if (!current || !isDeepStrictEqual(current.value, wanted)) {
      await ctx.listings.put(wanted, current?.etag);
      wrote = true;
    }
  }
  for (const row of rows) {
    if (wanted && sameRow(row.value, wanted)) continue;
    await ctx.listings.remove(row);
    wrote = true;
  }
  return wrote;
}

/**
 * What the lists show of a certificate now, or undefined when it is in no list. A certificate with an issued
 * version shows its latest one. One without shows the version its operation is requesting, as
 * `GET /certificates/{name}/` does (disabled, no thumbprint), whether that request is in progress, failed,
 * cancelled or its operation deleted: the certificate exists until it is deleted and purged.
 */
export async function listingFor(ctx: ListingContext, name: string): Promise<CertificateListing | undefined> {
  const [stored, head] = await Promise.all([ctx.certificates.getOperation(name), ctx.certificates.getHead(name)]);
  const latest = await latestIssued(ctx, head);
  if (head && latest) return issuedListing(head, latest);
  const op = stored?.value;
  if (unissued(op)) return pendingListing(op, head);
  return undefined;
}

async function latestIssued(ctx: ListingContext, head: CertificateHead | undefined): Promise<VersionWithoutKey | undefined> {
  if (!head?.latestVersion) return undefined;
  if (head.latest) return head.latest;
  // Heads written before the copy of the latest version was kept: one more read.
  const version = await ctx.certificates.getVersion(head.name, head.latestVersion);
  return version && withoutKey(version);
}

function deletionOf(head: CertificateHead | undefined): Pick<CertificateListing, 'deletion'> {
  return head?.deletion ? { deletion: { deletedDate: head.deletion.deletedDate, scheduledPurgeDate: head.deletion.scheduledPurgeDate } } : {};
}

function issuedListing(head: CertificateHead, latest: VersionWithoutKey): CertificateListing {
  return {
    name: head.name,
    issued: true,
    version: latest.version,
    x5t: latest.x5t,
    enabled: latest.enabled,
    notBefore: latest.notBefore,
    expires: latest.expires,
    created: latest.created,
    updated: latest.updated,
    tags: latest.tags,
    ...deletionOf(head),
  };
}

/** The attributes GET shows for a version still being requested (pendingAttributesToWire): disabled, the window its policy asks for. */
function pendingListing(op: PendingOperation, head: CertificateHead | undefined): CertificateListing {
  const window = validityWindow(new Date(op.created * 1000), op.policy.validityMonths);
  return {
    name: op.name,
    issued: false,
    version: op.version,
    enabled: false,
    notBefore: Math.floor(window.notBefore.getTime() / 1000),
    expires: Math.floor(window.notAfter.getTime() / 1000),
    created: op.created,
    updated: op.updated,
    tags: op.tags,
    ...deletionOf(head),
  };
}
