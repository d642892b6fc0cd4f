import type { TableClient } from '@azure/data-tables';
import type { CertificateContact } from '../domain/certificate-contact';
import type { ContactsRepository } from './repositories';
import { WriteConflictError, statusCodeOf } from './storage-errors';
import { readEntity } from './point-read';

/** The vault's contacts as one row: the list is only ever written and removed whole. */
interface ContactsEntity {
  partitionKey: string;
  rowKey: string;
  data: string;
}

const PARTITION = 'contacts';
const ROW = 'contacts';
/** A removal retries when a put lands between its read and its delete; this many such races in a row is a conflict. */
const REMOVE_ATTEMPTS = 5;

export class ContactsStore implements ContactsRepository {
  constructor(private readonly table: TableClient) {}

  async get(): Promise<CertificateContact[] | undefined> {
    const entity = await readEntity<ContactsEntity>(this.table, PARTITION, ROW);
    return entity ? (JSON.parse(entity.data) as CertificateContact[]) : undefined;
  }

  async put(contacts: readonly CertificateContact[]): Promise<void> {
    await this.table.upsertEntity<ContactsEntity>({ partitionKey: PARTITION, rowKey: ROW, data: JSON.stringify(contacts) }, 'Replace');
  }

  /**
   * Deletes the row at the ETag it was read at, so the list returned is exactly the list removed: a put in
   * between makes the delete fail (412) and the removal starts over; a removal in between (404) means
   * another caller got the list, and this one found none.
   */
  async remove(): Promise<CertificateContact[] | undefined> {
    for (let attempt = 0; attempt < REMOVE_ATTEMPTS; attempt += 1) {
      const entity = await readEntity<ContactsEntity>(this.table, PARTITION, ROW);
      if (!entity) return undefined;
      try {
        await this.table.deleteEntity(PARTITION, ROW, { etag: entity.etag });
        return JSON.parse(entity.data) as CertificateContact[];
      } catch (error) {
        const status = statusCodeOf(error);
        if (status === 404) return undefined;
        if (status !== 412) throw error;
      }
    }
    throw new WriteConflictError('certificate contacts: changed by other requests on every attempt to remove them');
  }
}
