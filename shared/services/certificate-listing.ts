import { isDeepStrictEqual } from 'node:util';
import { type CertificateListing, sameRow } from '../domain/certificate-listing';
import { type VersionWithoutKey, withoutKey } from '../domain/certificate-version';
import type { PendingOperation } from '../domain/pending-operation';
import { validityWindow } from '../domain/validity-window';
import type { CertificateHead, Stored } from '../storage/repositories';
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
export async function refreshListing(ctx: ListingContext, name: string, written?: WrittenState): Promise<void> {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    try {
      if (!(await reconcileOnce(ctx, name, pass === 0 ? written : undefined))) return;
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
    }
  }
  throw new Error(`The list entry of certificate ${name} did not settle after ${MAX_PASSES} attempts: it is changing faster than it can be indexed.`);
}

/**
 * What a change has just written of its certificate, as its writer knows it: the operation and the head as
 * they stand after the change (the head as read before it, when the change left it alone). `unlisted`: the
 * writer found neither operation nor head before its change (a new name), so the index should hold no row.
 *
 * The first pass of a refresh may derive the row from this instead of reading it again, but only for a pass
 * that writes: such a pass is always followed by one that reads the head afresh after the rows, which is what
 * the convergence argument above needs of the pass a refresh ends on. A pass that finds the rows right by this
 * state reads the head all the same before it ends the refresh. With `unlisted`, the first pass does not even
 * read the rows: it inserts the row if absent (a row already there makes the insert fail, and the next pass
 * reads as usual), and the pass after it removes whatever else a crashed refresh may have left.
 */
export interface WrittenState {
  operation?: PendingOperation;
  head?: CertificateHead;
  unlisted?: boolean;
}

/** One pass; true when it wrote something (so the rows it read may no longer be what is stored). */
async function reconcileOnce(ctx: ListingContext, name: string, written?: WrittenState): Promise<boolean> {
  if (written?.unlisted) {
    const wanted = await listingOf(ctx, written);
    if (!wanted) return reconcileOnce(ctx, name);
    await ctx.listings.put(wanted, undefined);
    return true;
  }
  // Rows first, then the head: the order the convergence argument above depends on.
  const rows = await ctx.listings.find(name);
  let wanted = written ? await listingOf(ctx, written) : await listingFor(ctx, name);
  if (written && isSettled(rows, wanted)) wanted = await listingFor(ctx, name);
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

/** Whether the index rows read are exactly the one row wanted (none when the certificate is in no list). */
function isSettled(rows: readonly Stored<CertificateListing>[], wanted: CertificateListing | undefined): boolean {
  if (!wanted) return rows.length === 0;
  return rows.length === 1 && rows[0] !== undefined && sameRow(rows[0].value, wanted) && isDeepStrictEqual(rows[0].value, wanted);
}

/**
 * What the lists show of a certificate now, or undefined when it is in no list. A certificate with an issued
 * version shows its latest one. One without shows the version its operation is requesting, as
 * `GET /certificates/{name}/` does (disabled, no thumbprint), whether that request is in progress, failed,
 * cancelled or its operation deleted: the certificate exists until it is deleted and purged.
 */
export async function listingFor(ctx: ListingContext, name: string): Promise<CertificateListing | undefined> {
  const { operation, head } = await ctx.certificates.getOperationAndHead(name);
  return listingOf(ctx, { ...(operation ? { operation: operation.value } : {}), ...(head ? { head: head.value } : {}) });
}

/** What the lists show of a certificate with this operation and head. */
async function listingOf(ctx: ListingContext, { operation, head }: WrittenState): Promise<CertificateListing | undefined> {
  const latest = await latestIssued(ctx, head);
  if (head && latest) return issuedListing(head, latest);
  if (unissued(operation)) return pendingListing(operation, head);
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
