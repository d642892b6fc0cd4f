import type { Clock } from '../domain/clock';
import type {
  CertificateListingRepository,
  CertificateRepository,
  ContactsRepository,
  DueIndex,
  IssuerRepository,
  JobQueue,
  PurgeSchedule,
  ReconcileSchedule,
} from '../storage/repositories';
import type { IssuerProviders } from '../issuers/issuer-providers';

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
  jobs: JobQueue;
  /** The certificate lists' index; written only by refreshListing (certificate-listing.ts), which changes reach through changeListedCertificate. */
  listings: CertificateListingRepository;
  providers: IssuerProviders;
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
}
