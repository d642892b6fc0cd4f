import type { QueueClient } from '@azure/storage-queue';

/** What the queue-triggered function receives: which operation to drive, and which request it was for. */
export interface IssuerJob {
  name: string;
  requestId: string;
}

/** Sends issuer jobs the way the Functions queue trigger reads them: base64 of JSON. */
export class IssuerJobQueue {
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
