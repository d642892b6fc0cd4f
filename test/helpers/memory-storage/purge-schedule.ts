import type { PurgeEntry, PurgeSchedule } from '../../../shared/storage/repositories';
import { storedCopy } from './copy';

const BUCKET_SECONDS = 60;

/** PurgeSchedule in memory, answering in the table adapter's key order (minute bucket, then date and name). */
export class MemoryPurgeSchedule implements PurgeSchedule {
  private readonly entries = new Map<string, PurgeEntry>();

  private static keyOf(entry: PurgeEntry): string {
    return `${entry.scheduledPurgeDate}_${entry.name.toLowerCase()}`;
  }

  async schedule(entry: PurgeEntry): Promise<void> {
    this.entries.set(MemoryPurgeSchedule.keyOf(entry), storedCopy(entry));
  }

  async remove(entry: PurgeEntry): Promise<void> {
    this.entries.delete(MemoryPurgeSchedule.keyOf(entry));
  }

  async due(now: number, limit: number): Promise<PurgeEntry[]> {
    const bucket = (e: PurgeEntry) => Math.floor(e.scheduledPurgeDate / BUCKET_SECONDS);
    return [...this.entries.values()]
      .filter((e) => e.scheduledPurgeDate <= now)
      .sort((a, b) => bucket(a) - bucket(b) || a.scheduledPurgeDate - b.scheduledPurgeDate || (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1))
      .slice(0, limit)
      .map((e) => storedCopy(e));
  }
}
