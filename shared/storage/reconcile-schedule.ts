import { odata, type TableClient } from '@azure/data-tables';
import type { ReconcileEntry, ReconcileSchedule } from './repositories';
import { orUndefinedOn404 } from './storage-errors';

/**
 * Names whose list rows are to be re-derived (docs/storage-design.md, rule 4), in the OperationsDue table
 * beside the status sweep's and the purge's entries: partition `reconcile-<minute bucket>`, row
 * `<dueAt>_<lower name>_<changeId>`. The sweep's partitions are all digits and the purge's start with `p`,
 * both sorting before `r`, so no reader ever sees another's rows, and each reads one key range of what is due.
 */

interface ReconcileEntity {
  partitionKey: string;
  rowKey: string;
  name: string;
  dueAt: number;
  changeId: string;
}

const PREFIX = 'reconcile-';
const BUCKET_SECONDS = 60;
/** Times are padded so that their text sorts as their value. */
const DIGITS = 12;

const padded = (n: number) => String(n).padStart(DIGITS, '0');
const partitionOf = (dueAt: number) => `${PREFIX}${padded(Math.floor(dueAt / BUCKET_SECONDS))}`;
const rowOf = (entry: ReconcileEntry) => `${padded(entry.dueAt)}_${entry.name.toLowerCase()}_${entry.changeId}`;

export class ReconcileScheduleIndex implements ReconcileSchedule {
  constructor(private readonly table: TableClient) {}

  async schedule(entry: ReconcileEntry): Promise<void> {
    await this.table.upsertEntity<ReconcileEntity>(
      { partitionKey: partitionOf(entry.dueAt), rowKey: rowOf(entry), name: entry.name, dueAt: entry.dueAt, changeId: entry.changeId },
      'Replace',
    );
  }

  async remove(entry: ReconcileEntry): Promise<void> {
    await orUndefinedOn404(this.table.deleteEntity(partitionOf(entry.dueAt), rowOf(entry)));
  }

  async due(now: number, limit: number): Promise<ReconcileEntry[]> {
    // Keys only, as the purge schedule's read: every partition up to now's minute, and in it every row due
    // by now. Azure scans what it returns, plus the not-yet-due rows of the current minute at most.
    const filter = odata`PartitionKey ge ${PREFIX} and PartitionKey le ${partitionOf(now)} and RowKey lt ${padded(now + 1)}`;
    const entries: ReconcileEntry[] = [];
    const pages = this.table.listEntities<ReconcileEntity>({ queryOptions: { filter, select: ['name', 'dueAt', 'changeId'] } }).byPage({ maxPageSize: limit });
    for await (const page of pages) {
      for (const entity of page) {
        entries.push({ name: entity.name, dueAt: entity.dueAt, changeId: entity.changeId });
        if (entries.length >= limit) return entries;
      }
    }
    return entries;
  }
}
