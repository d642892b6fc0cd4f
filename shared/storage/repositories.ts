import type { CertificateContact } from '../domain/certificate-contact';
import type { CertificateListName, CertificateListing } from '../domain/certificate-listing';
import type { CertificatePolicy } from '../domain/certificate-policy';
import type { CertificateVersion, VersionWithoutKey } from '../domain/certificate-version';
import type { IssuerObject } from '../domain/issuer';
import type { PendingOperation } from '../domain/pending-operation';
import type { RenewalStatus } from '../domain/renewal-status';
import type { CertificateEvent } from '../events/certificate-event';

/**
 * What the services need from storage, named for what each part holds. The Azure Table/Queue adapters
 * implement these in production; test/helpers/memory-storage implements them in memory for fast service
 * tests, and test/helpers/repository-conformance.ts holds both to the same contract. Names are
 * case-insensitive everywhere (Key Vault's names are).
 */

/** A value with the ETag it was read at: the token a conditional write must present. */
export interface Stored<T> {
  value: T;
  etag: string;
}

export interface CertificateHead {
  name: string;
  policy: CertificatePolicy;
  /**
   * The latest issued version; for a certificate deleted before its first version was issued (whose head the
   * delete wrote), the version its operation was creating, which has no row.
   */
  latestVersion: string;
  /**
   * The latest version without its key; absent from heads written before the copy was kept, and from the
   * head of a certificate deleted before its first version was issued.
   */
  latest?: VersionWithoutKey;
  /**
   * Present while the certificate is soft-deleted (docs/storage-design.md, "the head is the certificate"):
   * reads of the live certificate answer 404, the deleted-certificate routes answer from here.
   */
  deletion?: CertificateDeletion;
}

/** What a soft delete records on the head; dates are unix seconds. The wire's `recoveryId` is derived from the name. */
export interface CertificateDeletion {
  deletedDate: number;
  scheduledPurgeDate: number;
  /** Set by the first step of a purge; from then on the name answers 409 ObjectIsBeingDeleted. */
  purging?: boolean;
}

/** A certificate's operation and head as one read found them; either may be absent. */
export interface OperationAndHead {
  operation?: Stored<PendingOperation>;
  head?: Stored<CertificateHead>;
}

/**
 * One certificate's pending operation, head and versions, kept together so they can change together.
 * Conditional writes fail with WriteConflictError (shared/storage/storage-errors.ts) when they lose a race:
 * a stale ETag, a row that another writer created first, or one that another writer removed.
 */
export interface CertificateRepository {
  getOperation(name: string): Promise<Stored<PendingOperation> | undefined>;
  /**
   * The operation and the head together, each with its ETag: what most reads of one certificate need. The
   * table adapter reads both in one request (a key range of two rows), where two point reads would cost two.
   */
  getOperationAndHead(name: string): Promise<OperationAndHead>;
  /** With `etag`: replaces the operation read at that ETag. Without: creates it, failing if one exists. Returns the new ETag. */
  putOperation(op: PendingOperation, etag: string | undefined): Promise<string>;
  /**
   * Atomically: the operation (conditional on `etag`; without one it is created, failing if one exists), the
   * version and the head. All of it or none of it.
   */
  completeOperation(op: PendingOperation, etag: string | undefined, version: CertificateVersion, head: CertificateHead): Promise<void>;
  getHead(name: string): Promise<CertificateHead | undefined>;
  /** The head with the ETag a conditional change of it must present. */
  getStoredHead(name: string): Promise<Stored<CertificateHead> | undefined>;
  /**
   * Atomically replaces the operation read at `operation.etag` and, when given, the head read at `head.etag`;
   * writes nothing if either has changed or gone since. Rewriting the operation even where only the head
   * changes is what serialises this with creates and completions, which are conditional on the operation
   * too (a head that appeared since the read came with a new operation ETag).
   */
  replaceOperationAndHead(operation: Stored<PendingOperation>, head: Stored<CertificateHead> | undefined): Promise<void>;
  /**
   * Atomically replaces the operation read at `operation.etag` and writes the head: replaced at `headEtag`,
   * or created when `headEtag` is undefined (failing if a head exists). Delete and recover use it (rule 3 of
   * docs/storage-design.md): rewriting the operation is what a create that read the name before loses to.
   */
  replaceOperationAndWriteHead(operation: Stored<PendingOperation>, head: CertificateHead, headEtag: string | undefined): Promise<void>;
  /**
   * Atomically removes these versions of one certificate, at most MAX_ROWS_PER_BATCH of them; a version that
   * is already gone fails the whole removal as a lost race. A purge removes versions before the head.
   */
  deleteVersions(name: string, versions: readonly string[]): Promise<void>;
  /**
   * Atomically removes the head and, when given, the operation: the last step of a purge, after which the
   * name is free. Unconditional (a delete in an Azure batch cannot carry an ETag), which is safe only because
   * it is called for a head marked purging, which no other request changes. A row already gone fails the
   * whole removal as a lost race.
   */
  deleteHeadAndOperation(head: CertificateHead, operation: PendingOperation | undefined): Promise<void>;
  /** Version ids are case-insensitive (lower-case hex). */
  getVersion(name: string, version: string): Promise<CertificateVersion | undefined>;
  /** An issued version with the ETag a change of it must present. */
  getStoredVersion(name: string, version: string): Promise<Stored<CertificateVersion> | undefined>;
  /**
   * Atomically replaces an issued version, the operation and the head, each only at the ETag it was read at;
   * writes nothing if any of them has changed or gone since. The head carries the latest version's copy, so
   * a change of that version's attributes writes both; the operation is rewritten as it was read, which is
   * what orders this change with completions (they are conditional on the operation, not the head).
   */
  replaceVersion(version: Stored<CertificateVersion>, operation: Stored<PendingOperation>, head: Stored<CertificateHead>): Promise<void>;
  /**
   * At most `limit` issued versions of one certificate whose ids sort after `after` (from the first without
   * it), in version-id order, without keys or chains. Costs one key-range read of about `limit` rows inside
   * the certificate's partition, however many versions or certificates there are.
   */
  listVersions(name: string, limit: number, after?: string): Promise<VersionPage>;
  /**
   * Everything stored for one certificate, as a backup needs it: head, operation and up to `maxVersions`
   * issued versions with their keys and chains, in version-id order. One partition read (up to 1,000 rows a
   * request), so its cost is the certificate's size, whatever else the table holds.
   */
  readWhole(name: string, maxVersions: number): Promise<WholeCertificate>;
  /**
   * Writes a whole certificate into a name with neither head nor operation (a restore). The versions go first,
   * in batches, and the head with the operation last, in one batch that inserts both: that batch is the
   * commit point, so until it lands the versions are invisible (rule 1 of docs/storage-design.md). Version
   * rows found without a head (left by an interrupted restore) are replaced or removed. Fails with
   * WriteConflictError when the name has a head or operation, before writing anything, or when one appears
   * before the last batch, after taking back the versions it wrote.
   */
  restore(certificate: RestoredCertificate): Promise<void>;
}

/** One certificate as readWhole finds it. */
export interface WholeCertificate {
  head?: CertificateHead;
  operation?: PendingOperation;
  /** Issued versions with keys and chains, in version-id order: at most the number asked for. */
  versions: CertificateVersion[];
  /** The certificate has more versions than were asked for. */
  moreVersions: boolean;
}

/** What a restore writes; every row belongs to the head's certificate. */
export interface RestoredCertificate {
  head: CertificateHead;
  operation: PendingOperation;
  versions: CertificateVersion[];
}

/** Azure's limit on the operations of one entity-group transaction. */
export const MAX_ROWS_PER_BATCH = 100;

/** A version as lists show it: no key and no chain, which a list never needs and which are most of a row. */
export type VersionSummary = Omit<CertificateVersion, 'chain' | 'sealedPrivateKey'>;

/** One page of a certificate's issued versions, in version-id order. */
export interface VersionPage {
  versions: VersionSummary[];
  /** The id of the last version on this page when more may follow; where the next page starts after. */
  continueAfter?: string;
}

/**
 * The certificate lists' index (table `CertificateIndex`, docs/storage-design.md): one row per certificate,
 * in the live or the deleted list, keyed so that a page is one key range. Rows are derived from the
 * certificates' heads by shared/services/certificate-listing.ts, which alone writes them.
 */
export interface CertificateListingRepository {
  /** Every row stored for this name, in any list under any key (normally at most one), with its ETag. */
  find(name: string): Promise<Stored<CertificateListing>[]>;
  /**
   * Writes the listing's row (list and key follow from it): with `etag`, replaces the row read at that ETag;
   * without, creates it, failing if one exists.
   */
  put(listing: CertificateListing, etag: string | undefined): Promise<void>;
  /** Removes the row read at `listing.etag`; a row changed or removed since is a lost race. */
  remove(listing: Stored<CertificateListing>): Promise<void>;
  /**
   * At most `limit` listings of one list whose keys sort after `after` (see listingKey; from the first
   * without it): issued certificates, then, with `includePending`, pending-only ones. Costs one key-range
   * read of about `limit` rows per key range touched (two at most), however many certificates there are.
   */
  page(list: CertificateListName, options: { limit: number; includePending: boolean; after?: string }): Promise<ListingPage>;
}

/** One page of a certificate list. */
export interface ListingPage {
  listings: CertificateListing[];
  /** The key of the last listing on this page when more may follow; where the next page starts after. */
  continueAfter?: string;
}

/** One page of issuers, in lower-cased name order. */
export interface IssuerPage {
  issuers: IssuerObject[];
  /** The lower-cased name of the last issuer on this page when more may follow; where the next page starts after. */
  continueAfter?: string;
}

/** Issuer objects (`/certificates/issuers/{name}`). */
export interface IssuerRepository {
  get(name: string): Promise<IssuerObject | undefined>;
  /** Creates or replaces. */
  put(issuer: IssuerObject): Promise<void>;
  /**
   * Replaces an issuer that exists; answers false, writing nothing, when there is none (so a change never
   * brings back an issuer that a concurrent delete removed).
   */
  replace(issuer: IssuerObject): Promise<boolean>;
  /** Removes an issuer and answers what was removed; undefined when there was none. */
  delete(name: string): Promise<IssuerObject | undefined>;
  /**
   * At most `limit` issuers whose lower-cased names sort after `after` (from the first without it). Costs one
   * key-range read of about `limit` rows however many issuers there are.
   */
  list(limit: number, after?: string): Promise<IssuerPage>;
}

/** The vault's certificate contacts (`/certificates/contacts`): one list, replaced and removed as a whole. */
export interface ContactsRepository {
  /** Undefined when none are set. */
  get(): Promise<CertificateContact[] | undefined>;
  /** Replaces the list. */
  put(contacts: readonly CertificateContact[]): Promise<void>;
  /**
   * Removes the list and returns what it removed, or undefined when none was set. Of two concurrent
   * removals only one returns the list; a put that lands in between is what gets removed and returned.
   */
  remove(): Promise<CertificateContact[] | undefined>;
}

/** When an issuer-driven operation is next due for the status sweep. */
export interface DueEntry {
  name: string;
  requestId: string;
  /** Unix seconds. */
  dueAt: number;
}

/**
 * Operations keyed by when they are next due. An entry is identified by all three fields, so rescheduling
 * adds an entry and never overwrites the old one; the sweep removes what it has handled.
 */
export interface DueIndex {
  /** Idempotent: scheduling the same entry twice keeps one. */
  schedule(entry: DueEntry): Promise<void>;
  /** Idempotent: removing an absent entry is not an error. */
  remove(entry: DueEntry): Promise<void>;
  /** Entries due at or before `now` (unix seconds), at most `limit`, earliest minute first. */
  due(now: number, limit: number): Promise<DueEntry[]>;
}

/**
 * A soft-deleted certificate's purge, due at its `scheduledPurgeDate` (unix seconds). The date identifies the
 * deletion, so an entry left by an earlier delete of a name recovered since is told apart from the current one.
 */
export interface PurgeEntry {
  name: string;
  scheduledPurgeDate: number;
}

/**
 * Deleted certificates keyed by when they are purged: the purge timer reads only what is due (a key range),
 * however many certificates are deleted or live.
 */
export interface PurgeSchedule {
  /** Idempotent. */
  schedule(entry: PurgeEntry): Promise<void>;
  /** Idempotent: removing an absent entry is not an error. */
  remove(entry: PurgeEntry): Promise<void>;
  /** Entries whose date is at or before `now`, at most `limit`, earliest minute first. */
  due(now: number, limit: number): Promise<PurgeEntry[]>;
}

/**
 * A change of a certificate whose list row has yet to follow it (docs/storage-design.md, rule 4): written
 * before the change's batch, removed once the row was refreshed. `changeId` tells apart two changes of one
 * name in the same second, so one finishing never removes the other's entry.
 */
export interface ReconcileEntry {
  name: string;
  /** Unix seconds: when the sweep re-derives the row if the change has not removed the entry by then. */
  dueAt: number;
  changeId: string;
}

/**
 * Names whose list rows may be stale, keyed by when the sweep reconciles them: the sweep reads only what is
 * due (a key range), however many certificates there are.
 */
export interface ReconcileSchedule {
  /** Idempotent. */
  schedule(entry: ReconcileEntry): Promise<void>;
  /** Idempotent: removing an absent entry is not an error. */
  remove(entry: ReconcileEntry): Promise<void>;
  /** Entries due at or before `now`, at most `limit`, earliest minute first. */
  due(now: number, limit: number): Promise<ReconcileEntry[]>;
}

/**
 * What a lifetime entry is for: the policy's lifetime action (`action`), or the latest version's expiry
 * (`expiry`, Key Vault's CertificateExpired, for every certificate). A certificate has at most one of each.
 */
export type LifetimeEntryKind = 'action' | 'expiry';

/**
 * A certificate's lifetime action or expiry, due at `dueAt` (unix seconds). `attempt` counts the renewals the
 * sweep started for the same trigger (0: none yet), so a failing renewal is retried later and later; an
 * expiry entry's is always 0.
 */
export interface LifetimeEntry {
  name: string;
  kind: LifetimeEntryKind;
  dueAt: number;
  attempt: number;
}

/**
 * Certificates keyed by when their lifetime action is due: the lifetime sweep reads only what is due (a key
 * range), however many certificates there are. Entries are written before the change they follow and are
 * never updated in place; one that no longer matches its certificate is dropped by the sweep when it comes due.
 */
export interface LifetimeSchedule {
  /** Idempotent. */
  schedule(entry: LifetimeEntry): Promise<void>;
  /** Idempotent: removing an absent entry is not an error. */
  remove(entry: Pick<LifetimeEntry, 'name' | 'kind' | 'dueAt'>): Promise<void>;
  /** Entries due at or before `now`, at most `limit`, earliest minute first. */
  due(now: number, limit: number): Promise<LifetimeEntry[]>;
}

/**
 * Each certificate's last renewal outcome (shared/domain/renewal-status.ts): one small row beside its head,
 * so reading it is one point read, never a scan of the due index. Written by the lifetime sweep and by the
 * paths that end a renewal's operation; a purge removes it with the certificate.
 */
export interface RenewalStatusRepository {
  get(name: string): Promise<RenewalStatus | undefined>;
  /** Replaces the certificate's status. */
  put(status: RenewalStatus): Promise<void>;
  /**
   * Writes a `started` status unless the stored one is already about the same request: the operation may have
   * ended, and its outcome been written, before the sweep got to record that it started it. Of two concurrent
   * writers the other wins; its news is as new.
   */
  putStarted(status: RenewalStatus & { requestId: string }): Promise<void>;
  /** Idempotent. */
  remove(name: string): Promise<void>;
}

/** What the queue-triggered function receives: which operation to drive, and which request it was for. */
export interface IssuerJob {
  name: string;
  requestId: string;
}

/** Hands issuer jobs to the queue-triggered function; at-least-once, so jobs must be idempotent. */
export interface JobQueue {
  /** `delaySeconds`: the job becomes visible that much later. */
  enqueue(job: IssuerJob, options?: { delaySeconds?: number }): Promise<void>;
}

/**
 * Where the service puts each certificate event, once (the certificate-events-outbox queue); the fan-out
 * function takes it on to the users' queue, the webhooks and the Event Grid topic. At-least-once.
 */
export interface EventOutbox {
  send(event: CertificateEvent): Promise<void>;
}
