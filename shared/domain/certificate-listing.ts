/**
 * What the certificate lists (`GET /certificates`, `GET /deletedcertificates`) show of one certificate: one
 * row of the `CertificateIndex` table, derived from the certificate's head and pending operation
 * (shared/services/certificate-listing.ts). It holds exactly what a list item shows, so a page is read from
 * the index alone, never from the certificates' own partitions.
 */
export interface CertificateListing {
  /** The name as the caller spelled it. */
  name: string;
  /**
   * Whether the certificate has an issued version. One that has none yet (its first version is still being
   * requested, or that request failed, was cancelled or abandoned) is listed only with `includePending=true`.
   */
  issued: boolean;
  /** The latest issued version, or, when there is none, the version being requested. */
  version: string;
  /** Absent until there is a certificate to take the thumbprint of. */
  x5t?: string;
  enabled: boolean;
  /** Unix seconds. */
  notBefore: number;
  expires: number;
  created: number;
  updated: number;
  tags: Record<string, string>;
  /** Present iff the certificate is soft-deleted: it is then in the deleted list, not the live one. */
  deletion?: { deletedDate: number; scheduledPurgeDate: number };
}

/** The two lists: `GET /certificates` and `GET /deletedcertificates`. */
export type CertificateListName = 'live' | 'deleted';

export function listOf(listing: CertificateListing): CertificateListName {
  return listing.deletion ? 'deleted' : 'live';
}

/**
 * Where a listing sorts in its list: issued certificates (`c:`) before pending-only ones (`p:`), each in
 * lower-cased name order. Names are `[0-9a-zA-Z-]`, so `:` never occurs in one and the two ranges never mix.
 */
export function listingKey(listing: Pick<CertificateListing, 'name' | 'issued'>): string {
  return `${listing.issued ? ISSUED_PREFIX : PENDING_PREFIX}${listing.name.toLowerCase()}`;
}

export const ISSUED_PREFIX = 'c:';
export const PENDING_PREFIX = 'p:';

/** What a listing key looks like: the only thing a list's continuation token may continue after. */
export const LISTING_KEY_PATTERN = /^[cp]:[0-9a-z-]{1,127}$/;

/** Every key a name's listing can have, in either list: where a refresh looks for what to move or remove. */
export function possibleKeysOf(name: string): { list: CertificateListName; key: string }[] {
  const lists: CertificateListName[] = ['live', 'deleted'];
  return lists.flatMap((list) => [true, false].map((issued) => ({ list, key: listingKey({ name, issued }) })));
}

/** Whether two listings occupy the same row (same list, same key). */
export function sameRow(a: CertificateListing, b: CertificateListing): boolean {
  return listOf(a) === listOf(b) && listingKey(a) === listingKey(b);
}
