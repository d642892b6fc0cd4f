import { odata, type TableClient } from '@azure/data-tables';
import type { PurgeEntry, PurgeSchedule } from './repositories';
import { orUndefinedOn404 } from './storage-errors';

/**
 * When each soft-deleted certificate is purged, in the OperationsDue table beside the status sweep's entries
 * (docs/storage-design.md, "Purge: a due index, not a scan"): partition `purge-<minute bucket>`, row
 * `<scheduledPurgeDate>_<lower name>`. The sweep's partitions are all digits and sort before `p`, so neither
 * reader ever sees the other's rows, and the timer reads one key range of what is due.
 */

interface PurgeEntity {
  partitionKey: string;
  rowKey: string;
  name: string;
  scheduledPurgeDate: number;
}

const PREFIX = 'purge-';
const BUCKET_SECONDS = 60;
/** Dates are padded so that their text sorts as their value. */
const DIGITS = 12;

const padded = (n: number) => String(n).padStart(DIGITS, '0');
const partitionOf = (date: number) => `${PREFIX}${padded(Math.floor(date / BUCKET_SECONDS))}`;
const rowOf = (entry: PurgeEntry) => `${padded(entry.scheduledPurgeDate)}_${entry.name.toLowerCase()}`;

export class PurgeScheduleIndex implements PurgeSchedule {
  constructor(private readonly table: TableClient) {}

  async schedule(entry: PurgeEntry): Promise<void> {
    await this.table.upsertEntity<PurgeEntity>(
      { partitionKey: partitionOf(entry.scheduledPurgeDate), rowKey: rowOf(entry), name: entry.name, scheduledPurgeDate: entry.scheduledPurgeDate },
      'Replace',
    );
  }

  async remove(entry: PurgeEntry): Promise<void> {
    await orUndefinedOn404(this.table.deleteEntity(partitionOf(entry.scheduledPurgeDate), rowOf(entry)));
  }

  async due(now: number, limit: number): Promise<PurgeEntry[]> {
    // Keys only: every partition up to now's minute, and in it every row dated up to now (a row of an earlier
    // date sorts before `<now + 1>`, one of a later date after it). Azure scans what it returns, plus the
    // not-yet-due rows of the current minute at most.
    const filter = odata`PartitionKey ge ${PREFIX} and PartitionKey le ${partitionOf(now)} and RowKey lt ${padded(now + 1)}`;
    const entries: PurgeEntry[] = [];
    const pages = this.table.listEntities<PurgeEntity>({ queryOptions: { filter, select: ['name', 'scheduledPurgeDate'] } }).byPage({ maxPageSize: limit });
    for await (const page of pages) {
      for (const entity of page) {
        entries.push({ name: entity.name, scheduledPurgeDate: entity.scheduledPurgeDate });
        if (entries.length >= limit) return entries;
      }
    }
    return entries;
  }
}
