import { type CertificateListName, type CertificateListing, ISSUED_PREFIX, listOf, listingKey } from '../../../shared/domain/certificate-listing';
import type { CertificateListingRepository, ListingPage, Stored } from '../../../shared/storage/repositories';
import { WriteConflictError } from '../../../shared/storage/storage-errors';
import { etagFactory, storedCopy } from './copy';

/**
 * CertificateListingRepository in memory: the same rows, keys and order as the CertificateIndex table, and
 * the same conditional writes (test/helpers/listing-conformance.ts checks both).
 */
export class MemoryListingRepository implements CertificateListingRepository {
  private readonly lists: Record<CertificateListName, Map<string, Stored<CertificateListing>>> = { live: new Map(), deleted: new Map() };
  private readonly nextEtag = etagFactory();

  async find(name: string): Promise<Stored<CertificateListing>[]> {
    const keys = [true, false].map((issued) => listingKey({ name, issued }));
    return Object.values(this.lists).flatMap((rows) => keys.flatMap((key) => (rows.has(key) ? [storedCopy(rows.get(key) as Stored<CertificateListing>)] : [])));
  }

  async put(listing: CertificateListing, etag: string | undefined): Promise<void> {
    const rows = this.lists[listOf(listing)];
    const key = listingKey(listing);
    const current = rows.get(key);
    if (etag ? current?.etag !== etag : current !== undefined) throw new WriteConflictError(`listing of ${listing.name}: another request changed it first`);
    rows.set(key, { value: storedCopy(listing), etag: this.nextEtag() });
  }

  async remove(listing: Stored<CertificateListing>): Promise<void> {
    const rows = this.lists[listOf(listing.value)];
    const key = listingKey(listing.value);
    if (rows.get(key)?.etag !== listing.etag) throw new WriteConflictError(`listing of ${listing.value.name}: another request changed it first`);
    rows.delete(key);
  }

  async page(list: CertificateListName, options: { limit: number; includePending: boolean; after?: string }): Promise<ListingPage> {
    const { limit, includePending, after = '' } = options;
    // Table storage orders keys by ordinal (UTF-16 code unit) comparison, not locale.
    const keys = [...this.lists[list].keys()]
      .filter((key) => key > after && (includePending || key.startsWith(ISSUED_PREFIX)))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const listings = keys.slice(0, limit).map((key) => storedCopy((this.lists[list].get(key) as Stored<CertificateListing>).value));
    const last = listings.at(-1);
    return keys.length > limit && last ? { listings, continueAfter: listingKey(last) } : { listings };
  }
}
