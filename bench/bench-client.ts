import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { performance } from 'node:perf_hooks';
import { QUEUES, TABLES } from '../shared/names';
import type { BenchHost } from './bench-host';

/**
 * The benchmark's client of the bench host: authorised JSON requests, and waiting for operations. Waiting
 * reads the operation's `status` straight from Azurite rather than through `GET …/pending`, so the host's CPU
 * and storage counts over a create are the create's own (request, issuer job, completion, events), not
 * the bench's polling.
 */
export interface Bench {
  host: BenchHost;
  api(path: string): string;
  newName(prefix: string): string;
  /** POST …/create for a certificate with this key and issuer; throws unless 202. Returns the 202's body. */
  create(name: string, keyProps: Record<string, unknown>, issuer?: string): Promise<Record<string, unknown>>;
  /** Until the operation is `completed`; throws if it ends otherwise. */
  waitCompleted(name: string, pollMs?: number): Promise<void>;
  /** One authorised JSON request; throws unless it answers `expected`. Returns the parsed body, if any. */
  send(method: string, path: string, body: unknown, expected: number): Promise<Record<string, unknown>>;
  /** Until the queues the app itself consumes are empty: the work a load caused is done (events included). */
  settle(timeoutMs?: number): Promise<void>;
}

/** How often the bench reads an operation while it waits for `completed`: the resolution of every latency. */
export const WAIT_POLL_MS = 10;
/** The queues the app's own triggers consume (the user-facing events queue is nobody's here). */
const CONSUMED_QUEUES = [QUEUES.issuerJobs, QUEUES.certificateEventsOutbox, QUEUES.certificateEventDeliveries];

/** Messages in a queue, invisible ones (being handled) included; a queue not yet created holds none. */
async function messagesIn(service: QueueServiceClient, queue: string): Promise<number> {
  try {
    return (await service.getQueueClient(queue).getProperties()).approximateMessagesCount ?? 0;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return 0;
    throw error;
  }
}

export function benchOn(host: BenchHost): Bench {
  const headers = { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' };
  const api = (path: string) => `${host.url}${path}${path.includes('?') ? '&' : '?'}api-version=7.5`;
  const operations = TableClient.fromConnectionString(host.connectionString, TABLES.certificates, { allowInsecureConnection: true });
  const queueService = QueueServiceClient.fromConnectionString(host.connectionString);
  let counter = 0;

  async function send(method: string, path: string, body: unknown, expected: number): Promise<Record<string, unknown>> {
    const response = await fetch(api(path), { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  return {
    host,
    api,
    send,
    newName: (prefix) => `${prefix}-${process.pid}-${++counter}`,
    create(name, keyProps, issuer = 'Self') {
      return send('POST', `/certificates/${name}/create`, { policy: { key_props: keyProps, x509_props: { subject: `CN=${name}` }, issuer: { name: issuer } } }, 202);
    },
    async waitCompleted(name, pollMs = WAIT_POLL_MS) {
      for (;;) {
        const entity = await operations.getEntity<{ status: string; data: string }>(name.toLowerCase(), 'pending', { queryOptions: { select: ['status', 'data'] } });
        if (entity.status === 'completed') return;
        if (entity.status !== 'inProgress') throw new Error(`${name} ended ${entity.status}: ${entity.data.slice(0, 300)}`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    async settle(timeoutMs = 60_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const counts = await Promise.all(CONSUMED_QUEUES.map((queue) => messagesIn(queueService, queue)));
        if (counts.every((count) => count === 0)) return;
        if (performance.now() > deadline) throw new Error(`the app's queues did not drain within ${timeoutMs} ms (${counts.join(', ')} messages)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
