import { odata, type TableClient } from '@azure/data-tables';
import type { LifetimeEntry, LifetimeEntryKind, LifetimeSchedule } from './repositories';
import { orUndefinedOn404 } from './storage-errors';

/**
 * When each certificate's lifetime action and expiry are due, in the OperationsDue table beside the other due
 * entries: partition `lifetime-<minute bucket>`, row `<dueAt>_<lower name>` for the action and
 * `<dueAt>_<lower name>_expiry` for the expiry (names have no `_`, so the two never collide, even when an action
 * is due at the expiry itself). The status sweep's partitions are all digits (sorting before `l`), the purge's
 * and reconcile's start with `p` and `r` (after it), so no reader sees another's rows, and the lifetime sweep
 * reads one key range of what is due.
 */

interface LifetimeEntity {
  partitionKey: string;
  rowKey: string;
  name: string;
  /** Absent on entries written before expiry entries existed, which were all actions. */
  kind?: LifetimeEntryKind;
  dueAt: number;
  attempt: number;
}

const PREFIX = 'lifetime-';
const BUCKET_SECONDS = 60;
/** Times are padded so that their text sorts as their value. */
const DIGITS = 12;

const padded = (n: number) => String(n).padStart(DIGITS, '0');
const partitionOf = (dueAt: number) => `${PREFIX}${padded(Math.floor(dueAt / BUCKET_SECONDS))}`;
const rowOf = (entry: Pick<LifetimeEntry, 'name' | 'kind' | 'dueAt'>) =>
  `${padded(entry.dueAt)}_${entry.name.toLowerCase()}${entry.kind === 'expiry' ? '_expiry' : ''}`;

export class LifetimeScheduleIndex implements LifetimeSchedule {
  constructor(private readonly table: TableClient) {}

  async schedule(entry: LifetimeEntry): Promise<void> {
    await this.table.upsertEntity<LifetimeEntity>(
      {
        partitionKey: partitionOf(entry.dueAt),
        rowKey: rowOf(entry),
        name: entry.name,
        kind: entry.kind,
        dueAt: entry.dueAt,
        attempt: entry.attempt,
      },
      'Replace',
    );
  }

  async remove(entry: Pick<LifetimeEntry, 'name' | 'kind' | 'dueAt'>): Promise<void> {
    await orUndefinedOn404(this.table.deleteEntity(partitionOf(entry.dueAt), rowOf(entry)));
  }

  async due(now: number, limit: number): Promise<LifetimeEntry[]> {
    // As the purge schedule's read: every partition up to now's minute, and in it every row due by now.
    const filter = odata`PartitionKey ge ${PREFIX} and PartitionKey le ${partitionOf(now)} and RowKey lt ${padded(now + 1)}`;
    const entries: LifetimeEntry[] = [];
    const pages = this.table.listEntities<LifetimeEntity>({ queryOptions: { filter, select: ['name', 'kind', 'dueAt', 'attempt'] } }).byPage({ maxPageSize: limit });
    for await (const page of pages) {
      for (const entity of page) {
        entries.push({ name: entity.name, kind: entity.kind ?? 'action', dueAt: entity.dueAt, attempt: entity.attempt ?? 0 });
        if (entries.length >= limit) return entries;
      }
    }
    return entries;
  }
}
