import type { TableClient } from '@azure/data-tables';
import type { RenewalStatus } from '../domain/renewal-status';
import { partitionOf } from './certificate-store';
import type { RenewalStatusRepository } from './repositories';
import { WriteConflictError, conditional, orUndefinedOn404 } from './storage-errors';
import { readEntity } from './point-read';

/**
 * The last renewal outcome, in the certificate table beside the head: the certificate's partition, row
 * `renewal`. The certificate store's reads never see it: versions are the `v-…` range, and a backup takes only
 * `head`, `pending` and `v-…` rows. Its own row, not a property of the head, so that the sweep and the issuer
 * job never contend with a caller's change of the head (a policy update, a delete) for its ETag.
 */
const ROW = 'renewal';

type RenewalStatusEntity = { partitionKey: string; rowKey: string; data: string };

export class RenewalStatusStore implements RenewalStatusRepository {
  constructor(private readonly table: TableClient) {}

  async get(name: string): Promise<RenewalStatus | undefined> {
    return (await this.read(name))?.status;
  }

  async put(status: RenewalStatus): Promise<void> {
    await this.table.upsertEntity<RenewalStatusEntity>(this.entityOf(status), 'Replace');
  }

  async putStarted(status: RenewalStatus & { requestId: string }): Promise<void> {
    const stored = await this.read(status.name);
    if (stored?.status.requestId === status.requestId) return;
    try {
      await conditional(
        stored
          ? this.table.updateEntity(this.entityOf(status), 'Replace', { etag: stored.etag })
          : this.table.createEntity(this.entityOf(status)),
        `renewal status of ${status.name}`,
      );
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
    }
  }

  async remove(name: string): Promise<void> {
    await orUndefinedOn404(this.table.deleteEntity(partitionOf(name), ROW));
  }

  private async read(name: string): Promise<{ status: RenewalStatus; etag: string } | undefined> {
    const entity = await readEntity<RenewalStatusEntity>(this.table, partitionOf(name), ROW);
    return entity && { status: JSON.parse(entity.data) as RenewalStatus, etag: entity.etag };
  }

  private entityOf(status: RenewalStatus): RenewalStatusEntity {
    return { partitionKey: partitionOf(status.name), rowKey: ROW, data: JSON.stringify(status) };
  }
}
