import { QueueClient, type DequeuedMessageItem } from '@azure/storage-queue';
import type { RegisteredFunction } from './functions-core';
import type { QueueSettings } from './host-json';
import { describeError, invokeFunction } from './invoke';
import { watchQueueSends } from './queue-send-watch';

/**
 * A queue trigger with the Functions host's semantics (host.json `extensions.queues`):
 *
 * - poll with exponential back-off from 100 ms up to `maxPollingInterval` while the queue is empty, and again
 *   at once after a poll that found messages, or after this process put a message on the queue
 *   (queue-send-watch.ts: the host's shared queue watcher does that for its own bindings' messages);
 * - fetch up to `batchSize` messages and run their handlers concurrently, fetching more once no more than
 *   `newBatchThreshold` are still running (never more than `batchSize` at once);
 * - keep a message invisible while its handler runs (10 minutes, renewed halfway, as the host does);
 * - on success delete it; on failure make it visible again after `visibilityTimeout`; after `maxDequeueCount`
 *   failed attempts copy it to `<queue>-poison` and delete it;
 * - decode base64 messages (`messageEncoding`), and pass JSON as the parsed value, the way the Node worker does.
 */

export interface QueueListenerOptions {
  fn: RegisteredFunction;
  queueName: string;
  connectionString: string;
  settings: QueueSettings;
  log: (line: string) => void;
}

export interface QueueListener {
  readonly queueName: string;
  /** Stops polling and waits for the handlers already running. */
  stop(): Promise<void>;
}

const MIN_POLL_MS = 100;
const HOLD_SECONDS = 10 * 60;
const RENEW_EVERY_MS = (HOLD_SECONDS * 1000) / 2;

export class MessageDecodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageDecodingError';
  }
}

/** The Node worker hands a handler `JSON.parse(text)` when that succeeds, the text otherwise. */
function tryJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function decodeQueueMessage(messageText: string, encoding: QueueSettings['messageEncoding']): unknown {
  if (encoding === 'none') return tryJsonParse(messageText);
  const compact = messageText.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    // The host cannot decode it either; the message fails (and ends in the poison queue) rather than
    // reaching the function as garbage.
    throw new MessageDecodingError('The queue message is not valid base64 (host.json sets messageEncoding "base64").');
  }
  return tryJsonParse(Buffer.from(compact, 'base64').toString('utf8'));
}

function poisonQueueName(queueName: string): string {
  return `${queueName}-poison`;
}

interface Wait {
  reason: 'slot' | 'sleep';
  resolve: () => void;
}

class PollingQueueListener implements QueueListener {
  private stopping = false;
  /** A message was put on the queue since the last poll began: poll again without sleeping. */
  private nudged = false;
  private unwatch: () => void = () => undefined;
  private wait: Wait | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: QueueListenerOptions,
    private readonly queue: QueueClient,
    private readonly poisonQueue: QueueClient,
  ) {}

  get queueName(): string {
    return this.options.queueName;
  }

  start(): void {
    this.unwatch = watchQueueSends(this.queue.url, () => this.nudge());
    this.loop = this.run();
  }

  /** A message has just been put on the queue: an idle listener polls now, a busy one right after. */
  nudge(): void {
    this.nudged = true;
    if (this.wait?.reason === 'sleep') this.wait.resolve();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.unwatch();
    this.wait?.resolve();
    await this.loop;
    await Promise.all([...this.inFlight]);
  }

  private pause(reason: Wait['reason'], ms?: number): Promise<void> {
    // stop() may have come while a poll was in flight, with nobody left to wake this wait.
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => done(), ms);
      const done = () => {
        if (timer) clearTimeout(timer);
        if (this.wait?.resolve === done) this.wait = undefined;
        resolve();
      };
      this.wait = { reason, resolve: done };
    });
  }

  private async run(): Promise<void> {
    const { batchSize, newBatchThreshold, maxPollingIntervalMs } = this.options.settings;
    let delay = MIN_POLL_MS;
    const backOff = async () => {
      if (!this.nudged) await this.pause('sleep', delay);
      if (this.nudged) {
        this.nudged = false;
        delay = MIN_POLL_MS;
        return;
      }
      delay = Math.min(delay * 2, Math.max(maxPollingIntervalMs, MIN_POLL_MS));
    };

    while (!this.stopping) {
      if (this.inFlight.size > newBatchThreshold) {
        await this.pause('slot');
        continue;
      }
      let messages: DequeuedMessageItem[];
      this.nudged = false;
      try {
        const response = await this.queue.receiveMessages({
          numberOfMessages: batchSize - this.inFlight.size,
          visibilityTimeout: HOLD_SECONDS,
        });
        messages = response.receivedMessageItems;
      } catch (error) {
        this.options.log(`Queue '${this.queueName}': polling failed: ${describeError(error)}`);
        await backOff();
        continue;
      }
      if (messages.length === 0) {
        await backOff();
        continue;
      }
      delay = MIN_POLL_MS;
      for (const message of messages) this.track(this.process(message));
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      if (this.wait?.reason === 'slot') this.wait.resolve();
    });
  }

  private async process(message: DequeuedMessageItem): Promise<void> {
    const { fn, settings, log } = this.options;
    let popReceipt = message.popReceipt;
    try {
      // The host checks this on receipt too: a message whose earlier failures were never recorded
      // (a crash mid-processing) must not run again.
      if (message.dequeueCount > settings.maxDequeueCount) {
        await this.moveToPoison(message, popReceipt);
        return;
      }

      let renewal: Promise<void> = Promise.resolve();
      const renewTimer = setInterval(() => {
        renewal = renewal.then(async () => {
          try {
            popReceipt = (await this.queue.updateMessage(message.messageId, popReceipt, undefined, HOLD_SECONDS)).popReceipt ?? popReceipt;
          } catch (error) {
            log(`Queue '${this.queueName}': cannot extend the visibility of message ${message.messageId}: ${describeError(error)}`);
          }
        });
      }, RENEW_EVERY_MS);

      let succeeded = false;
      try {
        await invokeFunction({
          fn,
          input: decodeQueueMessage(message.messageText, settings.messageEncoding),
          triggerMetadata: {
            id: message.messageId,
            queueTrigger: message.messageText,
            dequeueCount: message.dequeueCount,
            insertionTime: message.insertedOn.toISOString(),
            expirationTime: message.expiresOn.toISOString(),
            nextVisibleTime: message.nextVisibleOn.toISOString(),
            popReceipt: message.popReceipt,
          },
          log,
          reason: `New queue message detected on '${this.queueName}'.`,
        });
        succeeded = true;
      } catch (error) {
        // invokeFunction has logged the handler's failure; a decoding failure is logged here.
        if (error instanceof MessageDecodingError) log(`Queue '${this.queueName}': message ${message.messageId}: ${error.message}`);
      } finally {
        clearInterval(renewTimer);
        await renewal;
      }

      if (succeeded) {
        await this.queue.deleteMessage(message.messageId, popReceipt);
      } else if (message.dequeueCount >= settings.maxDequeueCount) {
        await this.moveToPoison(message, popReceipt);
      } else {
        await this.queue.updateMessage(message.messageId, popReceipt, undefined, Math.ceil(settings.visibilityTimeoutMs / 1000));
      }
    } catch (error) {
      // Storage trouble while completing: the message reappears after its visibility hold and is retried.
      log(`Queue '${this.queueName}': cannot complete message ${message.messageId}: ${describeError(error)}`);
    }
  }

  private async moveToPoison(message: DequeuedMessageItem, popReceipt: string): Promise<void> {
    const poisonName = poisonQueueName(this.queueName);
    this.options.log(
      `Message ${message.messageId} has reached MaxDequeueCount of ${this.options.settings.maxDequeueCount}. Moving message to queue '${poisonName}'.`,
    );
    // The text is copied as stored (still encoded), so the poison queue reads like the host's.
    await this.poisonQueue.sendMessage(message.messageText);
    await this.queue.deleteMessage(message.messageId, popReceipt);
  }
}

/**
 * Short, bounded retries (the SDK's default waits 4 s, then longer, before a poll fails): a poll that fails is
 * retried by the polling loop's own back-off anyway, so after a storage outage messages flow again within a
 * polling interval of storage's return, as with the Functions host.
 */
const QUEUE_CLIENT_OPTIONS = { retryOptions: { maxTries: 2, retryDelayInMs: 250, maxRetryDelayInMs: 1_000 } };

export async function startQueueListener(options: QueueListenerOptions): Promise<QueueListener> {
  const queue = new QueueClient(options.connectionString, options.queueName, QUEUE_CLIENT_OPTIONS);
  const poisonQueue = new QueueClient(options.connectionString, poisonQueueName(options.queueName), QUEUE_CLIENT_OPTIONS);
  await queue.createIfNotExists();
  await poisonQueue.createIfNotExists();
  const listener = new PollingQueueListener(options, queue, poisonQueue);
  listener.start();
  return listener;
}
