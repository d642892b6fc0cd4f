import { type Clock, systemClock } from '../../../shared/domain/clock';
import type { IssuerJob, JobQueue } from '../../../shared/storage/repositories';
import { storedCopy } from './copy';

/**
 * JobQueue in memory. `take` plays the queue trigger: it receives the jobs visible now (a delayed job becomes
 * visible when the clock reaches its time) and removes them.
 */
export class MemoryJobQueue implements JobQueue {
  private messages: { job: IssuerJob; visibleAt: number }[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  async enqueue(job: IssuerJob, options: { delaySeconds?: number } = {}): Promise<void> {
    this.messages.push({ job: storedCopy(job), visibleAt: this.clock().getTime() + (options.delaySeconds ?? 0) * 1000 });
  }

  async take(): Promise<IssuerJob[]> {
    const now = this.clock().getTime();
    const visible = this.messages.filter((m) => m.visibleAt <= now);
    this.messages = this.messages.filter((m) => m.visibleAt > now);
    return visible.map((m) => m.job);
  }
}
