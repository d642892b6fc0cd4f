import type { TableClient } from '@azure/data-tables';
import type { IssuerObject } from '../domain/issuer';
import type { IssuerRepository } from './repositories';
import { orUndefinedOn404 } from './storage-errors';

/** Issuer objects, one partition per issuer name (lower-cased: names are case-insensitive). */
interface IssuerEntity {
  partitionKey: string;
  rowKey: string;
  data: string;
}

const ROW = 'issuer';

export class IssuerStore implements IssuerRepository {
  constructor(private readonly table: TableClient) {}

  async get(name: string): Promise<IssuerObject | undefined> {
    const entity = await orUndefinedOn404(this.table.getEntity<IssuerEntity>(name.toLowerCase(), ROW));
    return entity ? (JSON.parse(entity.data) as IssuerObject) : undefined;
  }

  async put(issuer: IssuerObject): Promise<void> {
    await this.table.upsertEntity<IssuerEntity>(
      { partitionKey: issuer.name.toLowerCase(), rowKey: ROW, data: JSON.stringify(issuer) },
      'Replace',
    );
  }
}
