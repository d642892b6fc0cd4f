import type { RenewalInfoCheck, RenewalInfoSchedule } from '../../../shared/storage/renewal-info-schedule';
import { storedCopy } from './copy';

/** RenewalInfoSchedule in memory, answering in due order. */
export class MemoryRenewalInfoSchedule implements RenewalInfoSchedule {
  private readonly checks = new Map<string, RenewalInfoCheck>();

  private static keyOf(check: RenewalInfoCheck): string {
    return `${check.dueAt}_${check.name.toLowerCase()}_${check.version}`;
  }

  async schedule(check: RenewalInfoCheck): Promise<void> {
    this.checks.set(MemoryRenewalInfoSchedule.keyOf(check), storedCopy(check));
  }

  async remove(check: RenewalInfoCheck): Promise<void> {
    this.checks.delete(MemoryRenewalInfoSchedule.keyOf(check));
  }

  /** Every check, for tests that look at the schedule. */
  all(): RenewalInfoCheck[] {
    return [...this.checks.values()].map((c) => storedCopy(c)).sort((a, b) => a.dueAt - b.dueAt);
  }

  async due(now: number, limit: number): Promise<RenewalInfoCheck[]> {
    return this.all().filter((c) => c.dueAt <= now).slice(0, limit);
  }
}
