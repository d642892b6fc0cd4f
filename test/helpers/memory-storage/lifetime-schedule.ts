import type { LifetimeEntry, LifetimeSchedule } from '../../../shared/storage/repositories';
import { storedCopy } from './copy';

const BUCKET_SECONDS = 60;

/**
 * LifetimeSchedule in memory, answering in the table adapter's key order. `entitiesRead` counts the entries
 * `due` returns, which is what the table's key-range query reads.
 */
export class MemoryLifetimeSchedule implements LifetimeSchedule {
  private readonly entries = new Map<string, LifetimeEntry>();
  entitiesRead = 0;

  private static keyOf(entry: Pick<LifetimeEntry, 'name' | 'kind' | 'dueAt'>): string {
    return `${entry.dueAt}_${entry.name.toLowerCase()}_${entry.kind}`;
  }

  async schedule(entry: LifetimeEntry): Promise<void> {
    this.entries.set(MemoryLifetimeSchedule.keyOf(entry), storedCopy(entry));
  }

  /**
   * Entries put straight in, without a copy, for a test that seeds a large index (the entries must not be used
   * again by the caller): a copy each of 200,000 entries was most of such a test's time.
   */
  seed(entries: Iterable<LifetimeEntry>): void {
    for (const entry of entries) this.entries.set(MemoryLifetimeSchedule.keyOf(entry), entry);
  }

  async remove(entry: Pick<LifetimeEntry, 'name' | 'kind' | 'dueAt'>): Promise<void> {
    this.entries.delete(MemoryLifetimeSchedule.keyOf(entry));
  }

  /** Every entry, for tests that check the index. */
  all(): LifetimeEntry[] {
    return [...this.entries.values()].map((e) => storedCopy(e));
  }

  /** The entries of one kind, for tests that check one of them. */
  ofKind(kind: LifetimeEntry['kind']): LifetimeEntry[] {
    return this.all().filter((e) => e.kind === kind);
  }

  async due(now: number, limit: number): Promise<LifetimeEntry[]> {
    const bucket = (e: LifetimeEntry) => Math.floor(e.dueAt / BUCKET_SECONDS);
    const found = [...this.entries.values()]
      .filter((e) => e.dueAt <= now)
      .sort((a, b) => bucket(a) - bucket(b) || a.dueAt - b.dueAt || (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1))
      .slice(0, limit)
      .map((e) => storedCopy(e));
    this.entitiesRead += found.length;
    return found;
  }
}
