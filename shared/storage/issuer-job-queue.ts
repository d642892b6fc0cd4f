import { type QueueSender, storageDeadline } from './clients';
import type { IssuerJob, JobQueue } from './repositories';
import { storageCall } from './storage-unavailable';

/** Sends issuer jobs the way the Functions queue trigger reads them: base64 of JSON. */
export class IssuerJobQueue implements JobQueue {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly queue: QueueSender) {}

  async enqueue(job: IssuerJob, options: { delaySeconds?: number } = {}): Promise<void> {
    // A failed creation is not kept: the next job tries again (storage may be back).
    this.ready ??= storageCall(this.queue.createIfNotExists({ abortSignal: storageDeadline() })).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    const text = Buffer.from(JSON.stringify(job), 'utf8').toString('base64');
    const visibility = options.delaySeconds ? { visibilityTimeout: options.delaySeconds } : {};
    await storageCall(this.queue.sendMessage(text, { ...visibility, abortSignal: storageDeadline() }));
  }
}
