import { type QueueSender, storageDeadline } from './clients';
import { storageCall } from './storage-unavailable';

/**
 * Sends values the way a Functions queue trigger reads them (host.json messageEncoding base64): Base64 of
 * JSON. The queue is created on first use; a failed creation is not kept, so the next send tries again.
 */
export class JsonQueue<T> {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly queue: QueueSender) {}

  async send(value: T, options: { delaySeconds?: number } = {}): Promise<void> {
    this.ready ??= storageCall(this.queue.createIfNotExists({ abortSignal: storageDeadline() })).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    const text = Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
    const visibility = options.delaySeconds ? { visibilityTimeout: options.delaySeconds } : {};
    await storageCall(this.queue.sendMessage(text, { ...visibility, abortSignal: storageDeadline() }));
  }
}
