import { odata, type TableClient } from '@azure/data-tables';
import type { DueEntry, DueIndex } from './repositories';

/**
 * When each issuer-driven operation is next due for the status sweep. Partitions are minute buckets, so the
 * sweep reads a key range of what is due (cost grows with due items, not with stored certificates).
 */

interface DueEntity {
  partitionKey: string;
  rowKey: string;
  name: string;
  requestId: string;
  dueAt: number;
}

const BUCKET_SECONDS = 60;

function bucketOf(unixSeconds: number): string {
  return String(Math.floor(unixSeconds / BUCKET_SECONDS)).padStart(12, '0');
}

/** The due time is part of the key, so rescheduling within one bucket never overwrites the old entry. */
function rowOf(entry: DueEntry): string {
  return `${entry.name.toLowerCase()}_${entry.requestId}_${entry.dueAt}`;
}

export class OperationsDueIndex implements DueIndex {
  constructor(private readonly table: TableClient) {}

  async schedule(entry: DueEntry): Promise<void> {
    await this.table.upsertEntity<DueEntity>(
      { partitionKey: bucketOf(entry.dueAt), rowKey: rowOf(entry), ...entry },
      'Replace',
    );
  }

  async remove(entry: DueEntry): Promise<void> {
    try {
      await this.table.deleteEntity(bucketOf(entry.dueAt), rowOf(entry));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }

  async due(now: number, limit: number): Promise<DueEntry[]> {
    const filter = odata`PartitionKey le ${bucketOf(now)} and dueAt le ${now}`;
    const entries: DueEntry[] = [];
    for await (const entity of this.table.listEntities<DueEntity>({ queryOptions: { filter } })) {
      entries.push({ name: entity.name, requestId: entity.requestId, dueAt: entity.dueAt });
      if (entries.length >= limit) break;
    }
    return entries;
  }
}
