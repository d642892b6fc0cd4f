import type { Clock } from '../domain/clock';
import type {
  CertificateListingRepository,
  CertificateRepository,
  ContactsRepository,
  DueIndex,
  EventOutbox,
  IssuerRepository,
  JobQueue,
  LifetimeSchedule,
  PurgeSchedule,
  ReconcileSchedule,
  RenewalStatusRepository,
} from '../storage/repositories';
import type { RenewalInfoSchedule } from '../storage/renewal-info-schedule';
import type { RetryPolicy } from '../domain/retry-backoff';
import type { ProviderRegistry } from '../issuers/provider-registry';
import type { LifetimeEvents } from './lifetime-events';

/** What the services work with, built once by the composition root and handed in (tests build their own). */
export interface ServiceContext {
  certificates: CertificateRepository;
  issuers: IssuerRepository;
  contacts: ContactsRepository;
  dueIndex: DueIndex;
  /** When each soft-deleted certificate is purged. */
  purgeSchedule: PurgeSchedule;
  /** Names whose list rows a change may have left stale (changeListedCertificate, listing-reconciliation.ts). */
  reconcileSchedule: ReconcileSchedule;
  /** When each certificate's lifetime action and expiry are due (lifetime-schedule.ts). */
  lifetimeSchedule: LifetimeSchedule;
  /** When to ask an ACME CA again what it says of a certificate's renewal (RFC 9773; renewal-info-checks.ts). */
  renewalInfoSchedule: RenewalInfoSchedule;
  /** Each certificate's last renewal outcome, as GET /certificates/{name}/lifetime shows it. */
  renewalStatus: RenewalStatusRepository;
  /** Where the lifetime sweep reports what it saw (near expiry, renewal started or failed); events hang here. */
  lifetimeEvents: LifetimeEvents;
  jobs: JobQueue;
  /** The certificate lists' index; written only by refreshListing (certificate-listing.ts), which changes reach through changeListedCertificate. */
  listings: CertificateListingRepository;
  /** The issuer providers this deployment has (built in the composition root with their dependencies). */
  providers: ProviderRegistry;
  /** How the issuer job retries a provider's transient failures (ISSUER_RETRY_*). */
  issuerRetry: RetryPolicy;
  /** [0, 1), as Math.random: the jitter of retry delays (tests fix it). */
  random: () => number;
  /**
   * How long a job run holds an operation while it calls its provider: another run takes over only after
   * this, so a provider call must end well within it (providers bound their own network calls).
   */
  jobLeaseSeconds: number;
  keyEncryptionKey: Buffer;
  clock: Clock;
  /** Operations in progress longer than this fail with a timeout error. */
  operationMaxAgeSeconds: number;
  /** How long the status sweep waits before driving an issuer job again. */
  jobRedriveAfterSeconds: number;
  /** Issuance takes at least this long (ISSUANCE_MIN_SECONDS); 0 issues as soon as the job runs. */
  issuanceMinSeconds: number;
  /** How long a deleted certificate stays recoverable (SOFT_DELETE_RETENTION_DAYS, 7-90). */
  softDeleteRetentionDays: number;
  /** A soft delete takes at least this long to show as deleted (DELETION_MIN_SECONDS); 0 shows it at once. */
  deletionMinSeconds: number;
  /** Where certificate events are told (shared/services/certificate-events.ts publishes them). */
  events: EventOutbox;
  /**
   * The vault URL events name (ids, topic): PUBLIC_BASE_URL or the app's host name; events have no request
   * to take it from.
   */
  vaultUrl: string;
  /** What the services report for operators only (a lost event); the composition root sends it to the log. */
  warn: (message: string) => void;
}
