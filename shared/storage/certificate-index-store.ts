import { type TableClient, odata } from '@azure/data-tables';
import {
  type CertificateListName,
  type CertificateListing,
  ISSUED_PREFIX,
  PENDING_PREFIX,
  listOf,
  listingKey,
  possibleKeysOf,
} from '../domain/certificate-listing';
import type { CertificateListingRepository, ListingPage, Stored } from './repositories';
import { conditional } from './storage-errors';
import { readEntity } from './point-read';

/**
 * The `CertificateIndex` table (docs/storage-design.md, "New table CertificateIndex: the lists"):
 * PartitionKey is the list (`live` or `deleted`), RowKey `c:<lower name>` for a certificate with an issued
 * version and `p:<lower name>` for one whose first version is still being requested, and `data` holds
 * exactly what a list item shows. A page is a key range in one partition with `$top`, so Azure scans the
 * rows it returns and no more.
 */

type ListingEntity = { partitionKey: string; rowKey: string; data: string; etag?: string };

/** The first key after every key of a range: `;` is the character after `:`. */
function rangeEnd(prefix: string): string {
  return `${prefix.slice(0, -1)};`;
}

function toEntity(listing: CertificateListing): ListingEntity {
  return { partitionKey: listOf(listing), rowKey: listingKey(listing), data: JSON.stringify(listing) };
}

export class CertificateIndexStore implements CertificateListingRepository {
  constructor(private readonly table: TableClient) {}

  async find(name: string): Promise<Stored<CertificateListing>[]> {
    // Four point reads (each a billed request, 404s included), in parallel: a change is rare next to reads.
    const found = await Promise.all(
      possibleKeysOf(name).map(({ list, key }) => readEntity<ListingEntity>(this.table, list, key)),
    );
    return found.flatMap((entity) => (entity ? [{ value: JSON.parse(entity.data) as CertificateListing, etag: entity.etag }] : []));
  }

  async put(listing: CertificateListing, etag: string | undefined): Promise<void> {
    const entity = toEntity(listing);
    const what = `listing of ${listing.name}`;
    if (etag) await conditional(this.table.updateEntity(entity, 'Replace', { etag }), what);
    else await conditional(this.table.createEntity(entity), what);
  }

  async remove(listing: Stored<CertificateListing>): Promise<void> {
    // A row already gone is a lost race too: whoever removed it may have acted on an older head.
    await conditional(this.table.deleteEntity(listOf(listing.value), listingKey(listing.value), { etag: listing.etag }), `listing of ${listing.value.name}`);
  }

  async page(list: CertificateListName, options: { limit: number; includePending: boolean; after?: string }): Promise<ListingPage> {
    const { limit, includePending, after } = options;
    const prefixes = includePending ? [ISSUED_PREFIX, PENDING_PREFIX] : [ISSUED_PREFIX];
    const rows: ListingEntity[] = [];
    for (const prefix of prefixes) {
      // A range that ends before where this page starts holds nothing for it: skip it without a request.
      if (after !== undefined && after >= rangeEnd(prefix)) continue;
      const start = after !== undefined && after >= prefix ? odata`RowKey gt ${after}` : odata`RowKey ge ${prefix}`;
      const filter = `${odata`PartitionKey eq ${list}`} and ${start} and ${odata`RowKey lt ${rangeEnd(prefix)}`}`;
      // One row more than the page says whether a next page exists, so a full last page has no nextLink.
      const wanted = limit + 1 - rows.length;
      const pages = this.table.listEntities<ListingEntity>({ queryOptions: { filter, select: ['data'] } }).byPage({ maxPageSize: wanted });
      // Azure may end a response early with a continuation; follow it only until the page is full.
      for await (const page of pages) {
        rows.push(...page.slice(0, limit + 1 - rows.length));
        if (rows.length > limit) break;
      }
      if (rows.length > limit) break;
    }
    const listings = rows.slice(0, limit).map((row) => JSON.parse(row.data) as CertificateListing);
    const last = listings.at(-1);
    return rows.length > limit && last ? { listings, continueAfter: listingKey(last) } : { listings };
  }
}
