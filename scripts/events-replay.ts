import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultAzureCredential } from '@azure/identity';
import { QueueClient } from '@azure/storage-queue';
import { z } from 'zod';
import { SETTINGS } from '../shared/config';
import { QUEUES } from '../shared/names';
import { certificateEventMessage, eventDeliveryMessage } from '../shared/services/event-delivery';
import { reattachAzurite } from './local-host/azurite';
import { applyLocalSettings } from './local-host/local-settings';

/**
 * `npm run events:replay -- [--dry-run] [--target <name>]`: puts certificate events that could not be delivered
 * back on their way, after the receiver is fixed. Three queues hold them (docs/events.md):
 *
 *   certificate-event-deliveries-failed   a webhook or the topic failed every attempt (with the last error)
 *   certificate-event-deliveries-poison   the delivery function itself failed maxDequeueCount times
 *   certificate-events-outbox-poison      the fan-out failed maxDequeueCount times (nothing was delivered)
 *
 * A delivery goes back to certificate-event-deliveries with a fresh set of attempts; an outbox event goes back
 * to the outbox, so it is fanned out again (the certificate-events queue and every destination). Each message is
 * written to its destination before it is deleted from where it was kept: a replay that is interrupted repeats,
 * never loses, and a repeat has the same event id, which receivers already use to drop repeats.
 * `--dry-run` lists what would be replayed and changes nothing. `--target webhook:1` replays only the
 * deliveries to that destination (outbox events have no destination yet and are left alone then).
 * A message that cannot be read is left where it is and named, for a person to look at.
 */

/** Receiving hides a message for this long; messages left in place are made visible again at the end. */
const RECEIVE_VISIBILITY_SECONDS = 300;
/** The most a queue receive or peek returns. */
const BATCH = 32;

const failedDeliveryMessage = eventDeliveryMessage.extend({ lastError: z.string() });

export interface ReplayOptions {
  dryRun: boolean;
  /** Only deliveries to this destination (`webhook:<n>`, `eventGrid`). */
  target?: string;
}

/** One message kept on a failure queue, as the listing shows it. */
export interface KeptEvent {
  queue: string;
  eventId: string;
  eventType: string;
  subject: string;
  /** The destination of a delivery; undefined for an outbox event (every destination). */
  target?: string;
  attempts?: number;
  lastError?: string;
}

export interface ReplayReport {
  /** What was replayed, or what would be with --dry-run. */
  replayed: KeptEvent[];
  /** Messages left in place: another target's, or unreadable (named by queue and message id). */
  leftInPlace: number;
  unreadable: string[];
  /** --dry-run only: messages past the first 32 of a queue, which a listing cannot show without taking them. */
  notListed: number;
}

interface Source {
  from: string;
  to: string;
  /** The message to write back, and how to list it; undefined when it cannot be read. */
  read(value: unknown): { replay: unknown; kept: Omit<KeptEvent, 'queue'> } | undefined;
}

const SOURCES: readonly Source[] = [
  {
    from: QUEUES.certificateEventDeliveriesFailed,
    to: QUEUES.certificateEventDeliveries,
    read(value) {
      const parsed = failedDeliveryMessage.safeParse(value);
      if (!parsed.success) return undefined;
      const { event, target, attempt, lastError } = parsed.data;
      return { replay: { event, target, attempt: 1 }, kept: { ...describe(event), target, attempts: attempt, lastError } };
    },
  },
  {
    from: QUEUES.certificateEventDeliveriesPoison,
    to: QUEUES.certificateEventDeliveries,
    read(value) {
      const parsed = eventDeliveryMessage.safeParse(value);
      if (!parsed.success) return undefined;
      const { event, target, attempt } = parsed.data;
      return { replay: { event, target, attempt: 1 }, kept: { ...describe(event), target, attempts: attempt } };
    },
  },
  {
    from: QUEUES.certificateEventsOutboxPoison,
    to: QUEUES.certificateEventsOutbox,
    read(value) {
      const parsed = certificateEventMessage.safeParse(value);
      return parsed.success ? { replay: parsed.data, kept: describe(parsed.data) } : undefined;
    },
  },
];

function describe(event: { id: string; eventType: string; subject: string }) {
  return { eventId: event.id, eventType: event.eventType, subject: event.subject };
}

/** Base64 JSON, as the app and the Functions host write queue messages (host.json messageEncoding base64). */
function decode(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

/** Replays (or lists, with dryRun) what the failure queues hold; `queue` gives a client per queue name. */
export async function replayFailedEvents(queue: (name: string) => QueueClient, options: ReplayOptions): Promise<ReplayReport> {
  const report: ReplayReport = { replayed: [], leftInPlace: 0, unreadable: [], notListed: 0 };
  for (const source of SOURCES) {
    const from = queue(source.from);
    if (!(await from.exists())) continue;
    if (options.dryRun) await listSource(source, from, options, report);
    else await replaySource(source, from, queue(source.to), options, report);
  }
  return report;
}

function wanted(kept: Omit<KeptEvent, 'queue'>, options: ReplayOptions): boolean {
  return options.target === undefined || kept.target === options.target;
}

/** Peeking changes nothing, and shows at most 32 messages; the rest are counted. */
async function listSource(source: Source, from: QueueClient, options: ReplayOptions, report: ReplayReport): Promise<void> {
  const { peekedMessageItems } = await from.peekMessages({ numberOfMessages: BATCH });
  for (const message of peekedMessageItems) {
    const read = source.read(decode(message.messageText));
    if (!read) report.unreadable.push(`${source.from}/${message.messageId}`);
    else if (wanted(read.kept, options)) report.replayed.push({ queue: source.from, ...read.kept });
    else report.leftInPlace += 1;
  }
  const { approximateMessagesCount = 0 } = await from.getProperties();
  report.notListed += Math.max(0, approximateMessagesCount - peekedMessageItems.length);
}

async function replaySource(source: Source, from: QueueClient, to: QueueClient, options: ReplayOptions, report: ReplayReport): Promise<void> {
  await to.createIfNotExists();
  const left: { messageId: string; popReceipt: string }[] = [];
  try {
    for (;;) {
      const { receivedMessageItems } = await from.receiveMessages({ numberOfMessages: BATCH, visibilityTimeout: RECEIVE_VISIBILITY_SECONDS });
      if (receivedMessageItems.length === 0) return;
      for (const message of receivedMessageItems) {
        const read = source.read(decode(message.messageText));
        if (!read || !wanted(read.kept, options)) {
          if (!read) report.unreadable.push(`${source.from}/${message.messageId}`);
          else report.leftInPlace += 1;
          left.push(message);
          continue;
        }
        // Written before it is deleted: an interruption between the two repeats the event, never loses it.
        await to.sendMessage(encode(read.replay));
        await from.deleteMessage(message.messageId, message.popReceipt);
        report.replayed.push({ queue: source.from, ...read.kept });
      }
    }
  } finally {
    // What was only looked at is visible again at once, not after the receive's visibility timeout.
    for (const message of left) await from.updateMessage(message.messageId, message.popReceipt, undefined, 0);
  }
}

/**
 * The storage the app uses, from the environment or local.settings.json: `CertStorage` (a connection string),
 * or `CertStorage__queueServiceUri` with your own Azure sign-in (DefaultAzureCredential: `az login`; you need
 * `Storage Queue Data Contributor` on the account). With neither, the Azurite that `npm start` runs.
 */
export async function queuesFromSettings(env: NodeJS.ProcessEnv, root: string): Promise<{ queue: (name: string) => QueueClient; where: string }> {
  const connectionString = env[SETTINGS.storageConnectionString]?.trim();
  if (connectionString) {
    const queue = (name: string) => new QueueClient(connectionString, name);
    // The queue service's URL names the account; the connection string's key is never printed.
    return { queue, where: queue('x').url.replace(/\/x$/, '') };
  }
  const queueServiceUri = env[SETTINGS.storageQueueUri]?.trim();
  if (queueServiceUri) {
    const credential = new DefaultAzureCredential();
    return { queue: (name) => new QueueClient(`${queueServiceUri.replace(/\/+$/, '')}/${name}`, credential), where: queueServiceUri };
  }
  const localDir = env.LOCAL_DATA_DIR?.trim() ? path.resolve(root, env.LOCAL_DATA_DIR.trim()) : path.join(root, '.local');
  const azurite = await reattachAzurite({ processFile: path.join(localDir, 'azurite-processes.json'), location: path.join(localDir, 'azurite') });
  if (!azurite) {
    throw new Error(
      `no storage to read: set ${SETTINGS.storageConnectionString} or ${SETTINGS.storageQueueUri} (environment or local.settings.json), or run \`npm start\` so its Azurite is up`,
    );
  }
  return { queue: (name) => new QueueClient(azurite.connectionString, name), where: `the Azurite of npm start, ${azurite.queueEndpoint}` };
}

const USAGE = 'usage: npm run events:replay -- [--dry-run] [--target <webhook:n | eventGrid>]';

function line(kept: KeptEvent): string {
  const to = kept.target ? ` to ${kept.target}` : ' (fan-out)';
  const attempts = kept.attempts ? `, ${kept.attempts} attempt${kept.attempts === 1 ? '' : 's'}` : '';
  const error = kept.lastError ? `, last error: ${kept.lastError}` : '';
  return `  ${kept.eventId} ${kept.eventType} ${kept.subject}${to} [${kept.queue}${attempts}${error}]`;
}

export async function main(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env, root = process.cwd()): Promise<number> {
  let values: { 'dry-run'?: boolean; target?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { 'dry-run': { type: 'boolean' }, target: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`events:replay: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const settings = { ...env };
    applyLocalSettings(path.join(root, 'local.settings.json'), settings);
    const { queue, where } = await queuesFromSettings(settings, root);
    const dryRun = values['dry-run'] ?? false;
    const report = await replayFailedEvents(queue, { dryRun, ...(values.target ? { target: values.target } : {}) });
    const verb = dryRun ? 'Would replay' : 'Replayed';
    process.stdout.write(`${verb} ${report.replayed.length} event deliver${report.replayed.length === 1 ? 'y' : 'ies'} from ${where}${report.replayed.length ? ':' : '.'}\n`);
    for (const kept of report.replayed) process.stdout.write(`${line(kept)}\n`);
    if (report.notListed > 0) process.stdout.write(`...and about ${report.notListed} more not listed (a dry run shows the first ${BATCH} of each queue).\n`);
    if (report.leftInPlace > 0) process.stdout.write(`Left in place: ${report.leftInPlace} for other targets.\n`);
    if (report.unreadable.length > 0) process.stdout.write(`Unreadable, left in place: ${report.unreadable.join(', ')}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`events:replay: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
