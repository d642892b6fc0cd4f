/**
 * Every storage name the app uses, in one place: the function bindings, the storage adapters, the local
 * host and the infrastructure checks all import these, so a rename cannot drift between them.
 */

/** The app-setting prefix of the storage connection used by bindings and adapters alike. */
export const STORAGE_CONNECTION = 'CertStorage';

/** Azure table names are alphanumeric; no hyphens. */
export const TABLES = {
  /**
   * One partition per certificate name holding its pending operation, its policy and its versions (with
   * their encrypted keys), so that finishing an operation is one atomic batch within the partition.
   */
  certificates: 'Certificates',
  /** Issuer objects (`/certificates/issuers/{name}`). */
  issuers: 'Issuers',
  /** The vault's certificate contacts: one row (`/certificates/contacts`). */
  contacts: 'Contacts',
  /** When each in-progress operation is next due for the status sweep, keyed by time. */
  operationsDue: 'OperationsDue',
  /**
   * The certificate lists: one row per certificate, derived from its head, partitioned by list (`live`,
   * `deleted`) so that a page is one key range (docs/storage-design.md).
   */
  certificateIndex: 'CertificateIndex',
} as const;

/** Queue names are lower-kebab; the Functions host moves a message to `<queue>-poison` after maxDequeueCount. */
export const QUEUES = {
  issuerJobs: 'issuer-jobs',
  issuerJobsPoison: 'issuer-jobs-poison',
  /**
   * Each certificate event once, as the service tells it (one write on the path that made it): the fan-out
   * function takes it from here to the queue users read and to each delivery (docs/events.md).
   */
  certificateEventsOutbox: 'certificate-events-outbox',
  certificateEventsOutboxPoison: 'certificate-events-outbox-poison',
  /**
   * Every certificate event in Key Vault's Event Grid schema, Base64 JSON: for a user's own queue-triggered
   * function. Nothing in this app reads it (a reader here would take the messages from the user's).
   */
  certificateEvents: 'certificate-events',
  /** One message per event and webhook or topic, retried with backoff by the delivery function. */
  certificateEventDeliveries: 'certificate-event-deliveries',
  certificateEventDeliveriesPoison: 'certificate-event-deliveries-poison',
  /** Deliveries that failed every attempt: kept for an operator to inspect or replay. */
  certificateEventDeliveriesFailed: 'certificate-event-deliveries-failed',
} as const;

export const ALL_TABLES: readonly string[] = Object.values(TABLES);
export const ALL_QUEUES: readonly string[] = Object.values(QUEUES);
