import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { Clock } from '../../shared/domain/clock';
import { buildIssuerProviders } from '../../shared/composition';
import type { ServiceContext } from '../../shared/services/service-context';
import { CertificateIndexStore } from '../../shared/storage/certificate-index-store';
import { CertificateStore } from '../../shared/storage/certificate-store';
import { ContactsStore } from '../../shared/storage/contacts-store';
import { makeQueueClient, makeTableClient } from '../../shared/storage/clients';
import { IssuerJobQueue } from '../../shared/storage/issuer-job-queue';
import { IssuerStore } from '../../shared/storage/issuer-store';
import { OperationsDueIndex } from '../../shared/storage/operations-due-index';
import { PurgeScheduleIndex } from '../../shared/storage/purge-schedule';
import { ReconcileScheduleIndex } from '../../shared/storage/reconcile-schedule';
import { LifetimeScheduleIndex } from '../../shared/storage/lifetime-schedule';
import { RenewalInfoScheduleIndex } from '../../shared/storage/renewal-info-schedule';
import { RenewalStatusStore } from '../../shared/storage/renewal-status-store';
import type { IssuerJob } from '../../shared/storage/repositories';
import { noLifetimeEvents } from '../../shared/services/lifetime-events';
import { MemoryEventOutbox } from './memory-event-outbox';
import { memoryStorage } from './memory-storage';
import { MemoryAcmeAccounts, MemoryHttp01Answers } from './memory-storage/acme';

/** A controllable clock for service tests. */
export function manualClock(start = new Date('2026-01-01T00:00:00Z')): Clock & { advance(seconds: number): void } {
  let now = start.getTime();
  const clock = (() => new Date(now)) as Clock & { advance(seconds: number): void };
  clock.advance = (seconds: number) => {
    now += seconds * 1000;
  };
  return clock;
}

/** Everything but storage, with test defaults; the providers are the deployment's own. */
function baseContext(clock: Clock, storage: Pick<ServiceContext, 'certificates' | 'issuers'>) {
  const keyEncryptionKey = randomBytes(32);
  return {
    providers: buildIssuerProviders({ ...storage, keyEncryptionKey, clock, acme: { accounts: new MemoryAcmeAccounts(), http01: new MemoryHttp01Answers() } }),
    issuerRetry: { maxAttempts: 5, baseDelaySeconds: 2, maxDelaySeconds: 60 },
    random: Math.random,
    jobLeaseSeconds: 120,
    keyEncryptionKey,
    clock,
    operationMaxAgeSeconds: 3600,
    jobRedriveAfterSeconds: 60,
    issuanceMinSeconds: 0,
    softDeleteRetentionDays: 90,
    lifetimeEvents: noLifetimeEvents,
    deletionMinSeconds: 0,
    events: new MemoryEventOutbox(),
    vaultUrl: 'https://vault.test',
    warn: () => undefined,
  };
}

/**
 * Service context on in-memory repositories: what service tests use (no emulator, milliseconds per test).
 * `takeJobs` receives the jobs waiting on the queue and removes them, as the queue trigger would.
 */
export function memoryServiceContext(overrides: Partial<ServiceContext> = {}) {
  const clock = overrides.clock ?? manualClock();
  const storage = memoryStorage(clock);
  const ctx: ServiceContext = { ...storage, ...baseContext(clock, storage), ...overrides };
  return { ctx, storage, takeJobs: () => storage.jobs.take() };
}

/**
 * The table and queue adapters on Azurite, with tables and a queue of unique names, so tests sharing an
 * emulator never share state.
 */
export async function azureRepositoriesOn(connectionString: string) {
  const suffix = randomBytes(4).toString('hex');
  const storage = { kind: 'connectionString' as const, connectionString };
  const tables = {
    certificates: makeTableClient(storage, `Certificates${suffix}`),
    issuers: makeTableClient(storage, `Issuers${suffix}`),
    contacts: makeTableClient(storage, `Contacts${suffix}`),
    due: makeTableClient(storage, `Due${suffix}`),
    certificateIndex: makeTableClient(storage, `CertificateIndex${suffix}`),
  };
  await Promise.all(Object.values(tables).map((t) => t.createTable()));
  const queue = makeQueueClient(storage, `jobs-${suffix}`);
  await queue.createIfNotExists();
  /** Receives the jobs waiting on the queue (and removes them), decoding them as the queue trigger does. */
  async function takeJobs(): Promise<IssuerJob[]> {
    const received = await queue.receiveMessages({ numberOfMessages: 32 });
    const jobs: IssuerJob[] = [];
    for (const message of received.receivedMessageItems) {
      jobs.push(JSON.parse(Buffer.from(message.messageText, 'base64').toString('utf8')) as IssuerJob);
      await queue.deleteMessage(message.messageId, message.popReceipt);
    }
    return jobs;
  }
  const repositories = { ...tableRepositoriesOn(tables), jobs: new IssuerJobQueue(queue) };
  return { repositories, tables, queue, takeJobs };
}

/** The table adapters over the given table clients (one per table of the deployment; `due` is OperationsDue). */
export function tableRepositoriesOn(tables: Record<'certificates' | 'issuers' | 'contacts' | 'due' | 'certificateIndex', TableClient>) {
  return {
    certificates: new CertificateStore(tables.certificates),
    issuers: new IssuerStore(tables.issuers),
    contacts: new ContactsStore(tables.contacts),
    dueIndex: new OperationsDueIndex(tables.due),
    purgeSchedule: new PurgeScheduleIndex(tables.due),
    reconcileSchedule: new ReconcileScheduleIndex(tables.due),
    lifetimeSchedule: new LifetimeScheduleIndex(tables.due),
    renewalInfoSchedule: new RenewalInfoScheduleIndex(tables.due),
    renewalStatus: new RenewalStatusStore(tables.certificates),
    listings: new CertificateIndexStore(tables.certificateIndex),
  };
}

/** Service context on Azurite (see azureRepositoriesOn). */
export async function serviceContextOn(connectionString: string, overrides: Partial<ServiceContext> = {}) {
  const { repositories, tables, queue, takeJobs } = await azureRepositoriesOn(connectionString);
  const ctx: ServiceContext = { ...repositories, ...baseContext(manualClock(), repositories), ...overrides };
  return { ctx, tables, queue, takeJobs };
}
