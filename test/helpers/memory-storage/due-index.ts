import type { DueEntry, DueIndex } from '../../../shared/storage/repositories';
import { storedCopy } from './copy';

const BUCKET_SECONDS = 60;

/** The table adapter's keys: a minute bucket, then the entry's identity (name case-insensitive). */
function keyOf(entry: DueEntry): [bucket: number, row: string] {
  return [Math.floor(entry.dueAt / BUCKET_SECONDS), `${entry.name.toLowerCase()}_${entry.requestId}_${entry.dueAt}`];
}

/** DueIndex in memory, answering in the table's key order (minute bucket, then row key). */
export class MemoryDueIndex implements DueIndex {
  private readonly entries = new Map<string, { bucket: number; row: string; entry: DueEntry }>();

  async schedule(entry: DueEntry): Promise<void> {
    const [bucket, row] = keyOf(entry);
    this.entries.set(`${bucket}/${row}`, { bucket, row, entry: storedCopy(entry) });
  }

  async remove(entry: DueEntry): Promise<void> {
    const [bucket, row] = keyOf(entry);
    this.entries.delete(`${bucket}/${row}`);
  }

  async due(now: number, limit: number): Promise<DueEntry[]> {
    return [...this.entries.values()]
      .filter(({ entry }) => entry.dueAt <= now)
      .sort((a, b) => a.bucket - b.bucket || (a.row < b.row ? -1 : a.row > b.row ? 1 : 0))
      .slice(0, limit)
      .map(({ entry }) => storedCopy(entry));
  }
}
