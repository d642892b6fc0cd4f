import { type TableClient, odata } from '@azure/data-tables';
import type { IssuerObject } from '../domain/issuer';
import type { IssuerPage, IssuerRepository } from './repositories';
import { WriteConflictError, orUndefinedOn404, statusCodeOf } from './storage-errors';
import { readEntity } from './point-read';

/**
 * Issuer objects, one partition per issuer name (lower-cased: names are case-insensitive). The table holds
 * nothing else, so a PartitionKey range is exactly a range of issuers: a list page scans the rows it returns.
 */
interface IssuerEntity {
  partitionKey: string;
  rowKey: string;
  data: string;
}

const ROW = 'issuer';
/** A delete that keeps losing to concurrent writers gives up after this many reads and says so. */
const DELETE_ATTEMPTS = 3;

function entityOf(issuer: IssuerObject): IssuerEntity {
  return { partitionKey: issuer.name.toLowerCase(), rowKey: ROW, data: JSON.stringify(issuer) };
}

function issuerOf(entity: { data: string }): IssuerObject {
  return JSON.parse(entity.data) as IssuerObject;
}

export class IssuerStore implements IssuerRepository {
  constructor(private readonly table: TableClient) {}

  async get(name: string): Promise<IssuerObject | undefined> {
    const entity = await readEntity<IssuerEntity>(this.table, name.toLowerCase(), ROW);
    return entity ? issuerOf(entity) : undefined;
  }

  async put(issuer: IssuerObject): Promise<void> {
    await this.table.upsertEntity<IssuerEntity>(entityOf(issuer), 'Replace');
  }

  async replace(issuer: IssuerObject): Promise<boolean> {
    // An update (If-Match: *) fails with 404 where there is no row, instead of creating one as an upsert would.
    const replaced = await orUndefinedOn404(this.table.updateEntity<IssuerEntity>(entityOf(issuer), 'Replace', { etag: '*' }));
    return replaced !== undefined;
  }

  async delete(name: string): Promise<IssuerObject | undefined> {
    for (let attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
      const entity = await readEntity<IssuerEntity>(this.table, name.toLowerCase(), ROW);
      if (!entity) return undefined;
      try {
        // Conditional on what was read, so the issuer answered is the one removed, not an older copy of it.
        await this.table.deleteEntity(entity.partitionKey, ROW, { etag: entity.etag });
        return issuerOf(entity);
      } catch (error) {
        const status = statusCodeOf(error);
        if (status === 404) return undefined;
        if (status !== 412) throw error;
      }
    }
    throw new WriteConflictError(`issuer ${name}: changed by other requests while being deleted`);
  }

  async list(limit: number, after = ''): Promise<IssuerPage> {
    // One row more than the page: it says whether a next page exists, without a last page that is empty.
    const pages = this.table
      .listEntities<IssuerEntity>({ queryOptions: { filter: odata`PartitionKey gt ${after} and RowKey eq ${ROW}` } })
      .byPage({ maxPageSize: limit + 1 });
    const rows: IssuerEntity[] = [];
    // Azure may end a response early with a continuation (at partition-range boundaries); follow it only
    // until the page is full, each request still a key range with $top.
    for await (const page of pages) {
      rows.push(...page);
      if (rows.length > limit) break;
    }
    const issuers = rows.slice(0, limit).map(issuerOf);
    const last = issuers.at(-1);
    return rows.length > limit && last ? { issuers, continueAfter: last.name.toLowerCase() } : { issuers };
  }
}
