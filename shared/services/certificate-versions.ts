import type { PendingOperation } from '../domain/pending-operation';
import type { VersionSummary } from '../storage/repositories';
import { isDeleted, unissued } from './certificate-reads';
import type { ServiceContext } from './service-context';

/** An item of a certificate's version list: an issued version, or the one an operation is still creating. */
export type VersionListItem = { kind: 'issued'; version: VersionSummary } | { kind: 'pending'; operation: PendingOperation };

export interface VersionListPage {
  items: VersionListItem[];
  /** The version id the next page starts after; absent on the last page. */
  continueAfter?: string;
}

const idOf = (item: VersionListItem) => (item.kind === 'issued' ? item.version.version : item.operation.version);

/**
 * One page of `GET /certificates/{name}/versions`, in version-id order. It lists what GET by version serves:
 * the issued versions, and the version an operation is creating while it has no certificate (Key Vault
 * keeps that one, disabled, among the versions; `includePending` belongs to the certificates list only).
 * That version lives in the operation row, not among the version rows, so every page reads the operation
 * too (a point read; the first page reads it with the head, one key-range request) and places it where its
 * id sorts; a page is still O(page). A name that has no versions lists empty: this is a list, not a read of
 * one certificate; so does a soft-deleted one.
 */
export async function listCertificateVersions(ctx: ServiceContext, name: string, limit: number, after?: string): Promise<VersionListPage> {
  // A soft-deleted certificate has no versions to list until it is recovered (docs/storage-design.md): the
  // first page reads the head to know (with the operation, in one request), later ones continue what the
  // first one started.
  const [{ operation, head }, page] = await Promise.all([
    after === undefined ? ctx.certificates.getOperationAndHead(name) : ctx.certificates.getOperation(name).then((found) => ({ operation: found, head: undefined })),
    ctx.certificates.listVersions(name, limit, after),
  ]);
  if (isDeleted(head?.value)) return { items: [] };
  const items: VersionListItem[] = page.versions.map((version) => ({ kind: 'issued', version }));
  const op = operation?.value;
  if (unissued(op) && (after === undefined || op.version > after) && !items.some((item) => idOf(item) === op.version)) {
    const at = items.findIndex((item) => idOf(item) > op.version);
    items.splice(at === -1 ? items.length : at, 0, { kind: 'pending', operation: op });
  }
  if (items.length <= limit) return page.continueAfter === undefined ? { items } : { items, continueAfter: page.continueAfter };
  // The operation's version pushed the page over: the last row waits for the next page, which reads it again.
  const shown = items.slice(0, limit);
  return { items: shown, continueAfter: idOf(shown[shown.length - 1] as VersionListItem) };
}
