import { loadConfig, type Config } from './config';
import { systemClock } from './domain/clock';
import { defaultIssuerProviders } from './issuers/issuer-providers';
import { createTokenVerifier, type TokenVerifier } from './auth/token-verifier';
import { TABLES, QUEUES } from './names';
import { CertificateIndexStore } from './storage/certificate-index-store';
import { CertificateStore } from './storage/certificate-store';
import { ContactsStore } from './storage/contacts-store';
import { makeQueueClient, makeTableClient } from './storage/clients';
import { IssuerJobQueue } from './storage/issuer-job-queue';
import { IssuerStore } from './storage/issuer-store';
import { OperationsDueIndex } from './storage/operations-due-index';
import { PurgeScheduleIndex } from './storage/purge-schedule';
import { ReconcileScheduleIndex } from './storage/reconcile-schedule';
import type { ServiceContext } from './services/service-context';

/** Everything a function needs, built once per process from the validated configuration. */
export interface App {
  config: Config;
  services: ServiceContext;
}

/** What authentication needs: no storage, so a caller is challenged even while storage is unreachable. */
export interface Gate {
  config: Config;
  verifier: TokenVerifier;
}

let gate: Gate | undefined;

export function getGate(): Gate {
  if (!gate) {
    const config = loadConfig();
    gate = { config, verifier: createTokenVerifier(config.auth) };
  }
  return gate;
}

async function buildApp(config: Config): Promise<App> {
  const tables = {
    certificates: makeTableClient(config.storage, TABLES.certificates),
    issuers: makeTableClient(config.storage, TABLES.issuers),
    contacts: makeTableClient(config.storage, TABLES.contacts),
    operationsDue: makeTableClient(config.storage, TABLES.operationsDue),
    certificateIndex: makeTableClient(config.storage, TABLES.certificateIndex),
  };
  // Infrastructure creates the tables in Azure; locally (Azurite) this makes them. It ignores existing ones.
  await Promise.all(Object.values(tables).map((t) => t.createTable()));
  const services: ServiceContext = {
    certificates: new CertificateStore(tables.certificates),
    issuers: new IssuerStore(tables.issuers),
    contacts: new ContactsStore(tables.contacts),
    dueIndex: new OperationsDueIndex(tables.operationsDue),
    purgeSchedule: new PurgeScheduleIndex(tables.operationsDue),
    reconcileSchedule: new ReconcileScheduleIndex(tables.operationsDue),
    jobs: new IssuerJobQueue(makeQueueClient(config.storage, QUEUES.issuerJobs)),
    listings: new CertificateIndexStore(tables.certificateIndex),
    providers: defaultIssuerProviders,
    keyEncryptionKey: config.keyEncryptionKey,
    clock: systemClock,
    operationMaxAgeSeconds: config.operationMaxAgeSeconds,
    jobRedriveAfterSeconds: config.jobRedriveAfterSeconds,
    issuanceMinSeconds: config.issuanceMinSeconds,
    softDeleteRetentionDays: config.softDeleteRetentionDays,
    deletionMinSeconds: config.deletionMinSeconds,
  };
  return { config, services };
}

let app: Promise<App> | undefined;

/** The process's app, built on first use; a failed build is not kept, so the next call tries again. */
export function getApp(): Promise<App> {
  app ??= Promise.resolve()
    .then(() => buildApp(loadConfig()))
    .catch((error: unknown) => {
      app = undefined;
      throw error;
    });
  return app;
}
