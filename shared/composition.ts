import { loadConfig, type Config } from './config';
import { offsetClock } from './domain/clock';
import type { Clock } from './domain/clock';
import { ProviderRegistry } from './issuers/provider-registry';
import { privateCaProvider } from './issuers/private-ca-provider';
import { selfSignedProvider } from './issuers/self-signed-provider';
import { testProvider } from './issuers/test-provider';
import { unavailableProvider } from './issuers/unavailable-provider';
import { acmeProvider } from './issuers/acme/acme-provider';
import type { AcmeAccountRepository, Http01AnswerRepository } from './issuers/acme/acme-stores';
import { configureAcmeHttp } from './issuers/acme/acme-http';
import { createAzureDnsChallenge } from './issuers/acme/azure-dns-challenge';
import type { DnsChallengeResponder } from './issuers/acme/dns-challenge';
import { AcmeAccountStore, Http01AnswerStore } from './storage/acme-store';
import { issuerPasswordBinding } from './services/issuer-objects';
import { appCredential } from './auth/app-credential';
import { createTokenVerifier, type TokenVerifier } from './auth/token-verifier';
import { TABLES, QUEUES } from './names';
import { CertificateIndexStore } from './storage/certificate-index-store';
import { CertificateStore } from './storage/certificate-store';
import { ContactsStore } from './storage/contacts-store';
import { makeTableClient, queueSenderOnFirstUse } from './storage/clients';
import { IssuerJobQueue } from './storage/issuer-job-queue';
import { IssuerStore } from './storage/issuer-store';
import { OperationsDueIndex } from './storage/operations-due-index';
import { PurgeScheduleIndex } from './storage/purge-schedule';
import { ReconcileScheduleIndex } from './storage/reconcile-schedule';
import { LifetimeScheduleIndex } from './storage/lifetime-schedule';
import { RenewalInfoScheduleIndex } from './storage/renewal-info-schedule';
import { RenewalStatusStore } from './storage/renewal-status-store';
import { eventsForLifetime } from './services/lifetime-events';
import type { ServiceContext } from './services/service-context';
import type { EventDelivery, EventDeliveryContext, FailedEventDelivery } from './services/event-delivery';
import type { CertificateEvent } from './events/certificate-event';
import { type EventSender, webhookSender } from './events/webhook-sender';
import { eventGridTopicSender } from './events/event-grid-topic';
import { JsonQueue } from './storage/json-queue';
import type { CertificateRepository, IssuerRepository } from './storage/repositories';

/** Everything a function needs, built once per process from the validated configuration. */
export interface App {
  config: Config;
  services: ServiceContext;
  /** What the anonymous /.well-known/acme-challenge/{token} route answers (ACME HTTP-01). */
  acmeHttp01: Http01AnswerRepository;
  /** Where the event fan-out and delivery functions send events (docs/events.md). */
  eventDelivery: EventDeliveryContext;
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

/**
 * What providers may be built with: the repositories (a private CA reads its CA certificate and sealed key
 * through them), the key-encryption key that opens what is sealed, and the clock.
 */
export interface ProviderDependencies {
  certificates: CertificateRepository;
  issuers: IssuerRepository;
  keyEncryptionKey: Buffer;
  clock: Clock;
  acme: {
    accounts: AcmeAccountRepository;
    http01: Http01AnswerRepository;
    /** Where DNS-01 challenges are answered; absent, ACME validates through HTTP-01. */
    dnsChallenge?: DnsChallengeResponder;
    dnsSettleSeconds?: number;
  };
}

/**
 * The issuer providers of this deployment, one per file in shared/issuers, each built here with what it
 * needs. Issuer objects may name the available and the unavailable ones; `Self` needs no object.
 */
export function buildIssuerProviders(deps: ProviderDependencies): ProviderRegistry {
  return new ProviderRegistry({
    builtInIssuers: [selfSignedProvider()],
    available: [
      testProvider(),
      privateCaProvider(deps),
      acmeProvider({ ...deps.acme, keyEncryptionKey: deps.keyEncryptionKey, passwordBinding: issuerPasswordBinding }),
    ],
    // Key Vault's own partners: configurations written for Key Vault keep loading, and say why they cannot issue.
    unavailable: [unavailableProvider('DigiCert'), unavailableProvider('GlobalSign')],
  });
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
  const certificates = new CertificateStore(tables.certificates);
  const issuers = new IssuerStore(tables.issuers);
  const acmeHttp01 = new Http01AnswerStore(tables.issuers);
  configureAcmeHttp({ caBundlePem: config.acme.caBundlePem });
  // Every service and provider reads time from this one clock: what is due, and the dates a certificate carries.
  const clock = offsetClock(config.clockOffsetSeconds);
  const services: Omit<ServiceContext, 'lifetimeEvents'> = {
    certificates,
    issuers,
    contacts: new ContactsStore(tables.contacts),
    dueIndex: new OperationsDueIndex(tables.operationsDue),
    purgeSchedule: new PurgeScheduleIndex(tables.operationsDue),
    reconcileSchedule: new ReconcileScheduleIndex(tables.operationsDue),
    lifetimeSchedule: new LifetimeScheduleIndex(tables.operationsDue),
    renewalInfoSchedule: new RenewalInfoScheduleIndex(tables.operationsDue),
    renewalStatus: new RenewalStatusStore(tables.certificates),
    jobs: new IssuerJobQueue(queueSenderOnFirstUse(config.storage, QUEUES.issuerJobs)),
    listings: new CertificateIndexStore(tables.certificateIndex),
    providers: buildIssuerProviders({
      certificates,
      issuers,
      keyEncryptionKey: config.keyEncryptionKey,
      clock,
      acme: {
        accounts: new AcmeAccountStore(tables.issuers),
        http01: acmeHttp01,
        dnsSettleSeconds: config.acme.dnsSettleSeconds,
        ...dnsChallengeOf(config),
      },
    }),
    issuerRetry: config.issuerRetry,
    random: Math.random,
    jobLeaseSeconds: config.issuerJobLeaseSeconds,
    keyEncryptionKey: config.keyEncryptionKey,
    clock,
    operationMaxAgeSeconds: config.operationMaxAgeSeconds,
    jobRedriveAfterSeconds: config.jobRedriveAfterSeconds,
    issuanceMinSeconds: config.issuanceMinSeconds,
    softDeleteRetentionDays: config.softDeleteRetentionDays,
    deletionMinSeconds: config.deletionMinSeconds,
    events: new JsonQueue<CertificateEvent>(queueSenderOnFirstUse(config.storage, QUEUES.certificateEventsOutbox)),
    vaultUrl: vaultUrlOfEvents(config),
    // The Functions host collects the console; services are built once, before any invocation's logger exists.
    warn: (message) => console.warn(message),
  };
  // What the lifetime sweep has to tell goes out as certificate events, through the same outbox.
  const withLifetimeEvents: ServiceContext = { ...services, lifetimeEvents: eventsForLifetime(services) };
  return { config, services: withLifetimeEvents, acmeHttp01, eventDelivery: eventDeliveryOf(config) };
}

/**
 * Events have no request to take the vault URL from: PUBLIC_BASE_URL, or the app's own host name in Azure.
 * Outside Azure with neither set, ids name https://localhost (set PUBLIC_BASE_URL to name the real origin).
 */
function vaultUrlOfEvents(config: Config): string {
  return config.publicBaseUrl ?? 'https://localhost';
}

/** The fan-out and delivery functions' queues and destinations, from the EVENT_* settings. */
export function eventDeliveryOf(config: Config): EventDeliveryContext {
  const targets = new Map<string, EventSender>();
  for (const webhook of config.events.webhooks) targets.set(`webhook:${webhook.name}`, webhookSender(webhook));
  const endpoint = config.events.eventGridTopicEndpoint;
  if (endpoint) {
    targets.set('eventGrid', eventGridTopicSender(endpoint, appCredentialOf(config)));
  }
  return {
    userQueue: new JsonQueue<CertificateEvent>(queueSenderOnFirstUse(config.storage, QUEUES.certificateEvents)),
    deliveries: new JsonQueue<EventDelivery>(queueSenderOnFirstUse(config.storage, QUEUES.certificateEventDeliveries)),
    failedDeliveries: new JsonQueue<FailedEventDelivery>(queueSenderOnFirstUse(config.storage, QUEUES.certificateEventDeliveriesFailed)),
    targets,
    retry: config.events.deliveryRetry,
    random: Math.random,
  };
}

/**
 * The DNS-01 responder: Azure DNS through the app's managed identity when ACME_DNS_ZONE_RESOURCE_ID names a
 * zone, else none (ACME uses HTTP-01). An in-process test host may put its own in place (below).
 */
function dnsChallengeOf(config: Config): { dnsChallenge?: DnsChallengeResponder } {
  if (dnsChallengeForTests) return { dnsChallenge: dnsChallengeForTests };
  const zoneResourceId = config.acme.dnsZoneResourceId;
  if (!zoneResourceId) return {};
  return { dnsChallenge: createAzureDnsChallenge({ zoneResourceId, credential: appCredentialOf(config) }) };
}

/** The managed identity the storage connection names (its user-assigned client id), else the app's default one. */
function appCredentialOf(config: Config) {
  return appCredential(config.storage.kind === 'identity' ? config.storage.clientId : undefined);
}

let dnsChallengeForTests: DnsChallengeResponder | undefined;

/**
 * Tests that run the host in-process (test/helpers/service-under-test.ts) answer DNS-01 in Pebble's
 * challenge test server instead of Azure DNS: they set it here before the app is built. Nothing in the
 * shipped app calls it.
 */
export function useDnsChallengeResponderForTests(responder: DnsChallengeResponder | undefined): void {
  dnsChallengeForTests = responder;
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
