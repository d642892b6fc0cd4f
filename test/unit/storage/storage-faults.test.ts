import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toErrorResponse } from '../../../shared/api/error-response';
import { makeQueueClient, makeTableClient, STORAGE_RETRY } from '../../../shared/storage/clients';
import { ContactsStore } from '../../../shared/storage/contacts-store';
import { IssuerJobQueue } from '../../../shared/storage/issuer-job-queue';
import { StorageUnavailableError, STORAGE_RETRY_AFTER_SECONDS } from '../../../shared/storage/storage-unavailable';
import { findFreePort } from '../../../scripts/local-host/ports';

/**
 * Storage faults through the real SDK pipelines, against a fake storage endpoint on loopback (answers are
 * scripted per request): what the adapters retry, and what a caller is told when the retries are spent.
 */

const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function connectionString(port: number): string {
  const base = `http://127.0.0.1:${port}/devstoreaccount1`;
  return `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};TableEndpoint=${base};QueueEndpoint=${base};`;
}

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

const busy: Answer = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ 'odata.error': { code: 'ServerBusy', message: { value: 'The server is busy. SECRET-STORAGE-TEXT' } } }));
};
const contactsRow: Answer = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json;odata=nometadata', etag: 'W/"datetime\'2026-01-01T00%3A00%3A00Z\'"' });
  res.end(JSON.stringify({ PartitionKey: 'contacts', RowKey: 'contacts', data: '[{"email":"a@example.com"}]' }));
};

describe('storage faults', () => {
  let server: Server;
  let port: number;
  let answers: Answer[];
  let requests: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      req.resume();
      (answers.shift() ?? busy)(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    answers = [];
    requests = 0;
  });

  const contacts = () => new ContactsStore(makeTableClient({ kind: 'connectionString', connectionString: connectionString(port) }, 'Contacts'));

  it('a busy answer is retried, and the retry that succeeds is what the caller gets', async () => {
    answers = [busy, busy, contactsRow];
    await expect(contacts().get()).resolves.toEqual([{ email: 'a@example.com' }]);
    expect(requests).toBe(3);
  });

  it('storage that asks for a long wait is not waited on: the caller gets its Retry-After at once', async () => {
    const busyFor7: Answer = (req, res) => {
      res.setHeader('retry-after', '7');
      busy(req, res);
    };
    answers = [busyFor7];
    const failure = await contacts().get().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageUnavailableError);
    expect(requests).toBe(1);
    expect(toErrorResponse(failure).headers['Retry-After']).toBe('7');
  });

  it('unreachable storage (nothing listens) is StorageUnavailableError, for tables and for the job queue', async () => {
    const closed = await findFreePort('127.0.0.1');
    const storage = { kind: 'connectionString', connectionString: connectionString(closed) } as const;
    const tables = new ContactsStore(makeTableClient(storage, 'Contacts'));
    await expect(tables.put([])).rejects.toBeInstanceOf(StorageUnavailableError);
    const queue = new IssuerJobQueue(makeQueueClient(storage, 'jobs'));
    await expect(queue.enqueue({ name: 'n', requestId: 'r' } as never)).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('storage that stays busy is retried a bounded number of times, then answered 503 ServiceUnavailable with Retry-After in Key Vault’s envelope, naming no storage detail', async () => {
    answers = Array.from({ length: 10 }, () => busy);
    const failure = await contacts().get().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageUnavailableError);
    expect(requests).toBe(STORAGE_RETRY.maxRetries + 1);
    const response = toErrorResponse(failure);
    expect(response.status).toBe(503);
    expect(response.headers['Retry-After']).toBe(String(STORAGE_RETRY_AFTER_SECONDS));
    expect(response.body.error.code).toBe('ServiceUnavailable');
    expect(JSON.stringify(response.body)).not.toMatch(/SECRET-STORAGE-TEXT|ServerBusy|503|at /);
    // The operator still learns what happened: the failure is logged in full.
    expect(response.unexpected).toBe(failure);
  });

  it('a service error wrapping the storage fault is answered the same', () => {
    const wrapped = new Error('refresh failed', { cause: new StorageUnavailableError(3, 'unreachable (ECONNREFUSED)') });
    expect(toErrorResponse(wrapped)).toMatchObject({ status: 503, headers: { 'Retry-After': '3' } });
  });

  it('a client that failed is not broken: the same client succeeds once storage answers again', async () => {
    const store = contacts();
    answers = Array.from({ length: STORAGE_RETRY.maxRetries + 1 }, () => busy);
    await expect(store.get()).rejects.toBeInstanceOf(StorageUnavailableError);
    answers = [contactsRow];
    await expect(store.get()).resolves.toEqual([{ email: 'a@example.com' }]);
  });

  it('a refusal storage means (404, 409, 412) is not a fault', async () => {
    answers = [(_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ 'odata.error': { code: 'ResourceNotFound', message: { value: 'not found' } } }));
    }];
    await expect(contacts().get()).resolves.toBeUndefined();
    expect(requests).toBe(1);
  });
});
