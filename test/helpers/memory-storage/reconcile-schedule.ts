import type { ReconcileEntry, ReconcileSchedule } from '../../../shared/storage/repositories';
import { storedCopy } from './copy';

const BUCKET_SECONDS = 60;

/** The table adapter's keys (shared/storage/reconcile-schedule.ts), so entries come back in its order. */
const keyOf = (e: ReconcileEntry) =>
  `${String(Math.floor(e.dueAt / BUCKET_SECONDS)).padStart(12, '0')}/${String(e.dueAt).padStart(12, '0')}_${e.name.toLowerCase()}_${e.changeId}`;

/** ReconcileSchedule in memory. */
export class MemoryReconcileSchedule implements ReconcileSchedule {
  private readonly entries = new Map<string, ReconcileEntry>();

  async schedule(entry: ReconcileEntry): Promise<void> {
    this.entries.set(keyOf(entry), storedCopy(entry));
  }

  async remove(entry: ReconcileEntry): Promise<void> {
    this.entries.delete(keyOf(entry));
  }

  async due(now: number, limit: number): Promise<ReconcileEntry[]> {
    return [...this.entries.entries()]
      .filter(([, e]) => e.dueAt <= now)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([, e]) => storedCopy(e));
  }
}
