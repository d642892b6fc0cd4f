import type { QueueClient } from '@azure/storage-queue';
import type { IssuerJob, JobQueue } from './repositories';

/** Sends issuer jobs the way the Functions queue trigger reads them: base64 of JSON. */
export class IssuerJobQueue implements JobQueue {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly queue: QueueClient) {}

  async enqueue(job: IssuerJob, options: { delaySeconds?: number } = {}): Promise<void> {
    this.ready ??= this.queue.createIfNotExists().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    const text = Buffer.from(JSON.stringify(job), 'utf8').toString('base64');
    await this.queue.sendMessage(text, options.delaySeconds ? { visibilityTimeout: options.delaySeconds } : {});
  }
}
