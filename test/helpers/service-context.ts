import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/domain/clock';
import { defaultIssuerProviders } from '../../shared/issuers/issuer-providers';
import type { ServiceContext } from '../../shared/services/service-context';
import { CertificateStore } from '../../shared/storage/certificate-store';
import { makeQueueClient, makeTableClient } from '../../shared/storage/clients';
import { type IssuerJob, IssuerJobQueue } from '../../shared/storage/issuer-job-queue';
import { IssuerStore } from '../../shared/storage/issuer-store';
import { OperationsDueIndex } from '../../shared/storage/operations-due-index';

/** A controllable clock for integration tests. */
export function manualClock(start = new Date('2026-01-01T00:00:00Z')): Clock & { advance(seconds: number): void } {
  let now = start.getTime();
  const clock = (() => new Date(now)) as Clock & { advance(seconds: number): void };
  clock.advance = (seconds: number) => {
    now += seconds * 1000;
  };
  return clock;
}

/** Service context on Azurite with tables and a queue of unique names, so test files never share state. */
export async function serviceContextOn(connectionString: string, overrides: Partial<ServiceContext> = {}) {
  const suffix = randomBytes(4).toString('hex');
  const storage = { kind: 'connectionString' as const, connectionString };
  const tables = {
    certificates: makeTableClient(storage, `Certificates${suffix}`),
    issuers: makeTableClient(storage, `Issuers${suffix}`),
    due: makeTableClient(storage, `Due${suffix}`),
  };
  await Promise.all(Object.values(tables).map((t) => t.createTable()));
  const queue = makeQueueClient(storage, `jobs-${suffix}`);
  await queue.createIfNotExists();
  const ctx: ServiceContext = {
    certificates: new CertificateStore(tables.certificates),
    issuers: new IssuerStore(tables.issuers),
    dueIndex: new OperationsDueIndex(tables.due),
    jobs: new IssuerJobQueue(queue),
    providers: defaultIssuerProviders,
    keyEncryptionKey: randomBytes(32),
    clock: manualClock(),
    operationMaxAgeSeconds: 3600,
    jobRedriveAfterSeconds: 60,
    issuanceMinSeconds: 0,
    ...overrides,
  };
  /** Receives the jobs waiting on the queue (and removes them). */
  async function takeJobs(): Promise<IssuerJob[]> {
    const received = await queue.receiveMessages({ numberOfMessages: 32 });
    const jobs: IssuerJob[] = [];
    for (const message of received.receivedMessageItems) {
      jobs.push(JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8')) as IssuerJob);
      await queue.deleteMessage(message.messageId, message.popReceipt);
    }
    return jobs;
  }
  return { ctx, tables, queue, takeJobs };
}
