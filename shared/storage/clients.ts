import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { QueueClient, StoragePipelineOptions } from '@azure/storage-queue';
import { appCredential } from '../auth/app-credential';
import type { StorageConfig } from '../config';
import { storageQueue } from '../lazy-packages';
import { tablesHttpClient } from './point-read';
import { asStorageUnavailable, retryAfterOf, StorageUnavailableError, STORAGE_RETRY_AFTER_SECONDS } from './storage-unavailable';

/**
 * The one place that builds storage clients: a connection string locally (Azurite), the managed identity in
 * Azure. Shared keys are never used in Azure (the account refuses them).
 *
 * Retries are bounded so that a request never waits long on storage that is down: the SDKs' defaults would
 * (tables: 3 retries from 1 s up to 64 s apart and no timeout at all; queues: 4 tries from 4 s up to 120 s apart).
 * A caller is better served by a prompt 503 with `Retry-After`, which every Key Vault SDK honours, than by a
 * request that hangs; see docs/storage-design.md, "Storage faults".
 */
export const STORAGE_RETRY = {
  /** Retries after the first try, for unreachable storage, 5xx, 408, and 429/503 with `Retry-After`. */
  maxRetries: 3,
  /** Exponential with jitter: about 0.25, 0.5, 1 s, so 1–2 s in all before the caller gets 503. */
  retryDelayInMs: 250,
  maxRetryDelayInMs: 2_000,
  /** A `Retry-After` from storage up to this is waited out within the request; a longer one goes to the caller. */
  maxRetryAfterWaitMs: 1_000,
  /** One storage call, retries included, is abandoned after this (storage that accepts and never answers). */
  operationDeadlineMs: 10_000,
} as const;

type TablePolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number];

const TRANSIENT_RESPONSE = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Outside the SDK's retry policy: gives each call its deadline, and turns what is left of a storage fault once
 * the retries are spent (an error, or a busy answer) into StorageUnavailableError, which routes answer 503.
 */
const storageFaultPolicy: TablePolicy = {
  position: 'perCall',
  policy: {
    name: 'storageFaults',
    async sendRequest(request, next) {
      request.abortSignal ??= AbortSignal.timeout(STORAGE_RETRY.operationDeadlineMs);
      let response;
      try {
        response = await next(request);
      } catch (error) {
        throw asStorageUnavailable(error) ?? error;
      }
      if (TRANSIENT_RESPONSE.has(response.status)) {
        const retryAfter = retryAfterOf(response.headers) ?? STORAGE_RETRY_AFTER_SECONDS;
        throw new StorageUnavailableError(retryAfter, `answered ${response.status} after ${STORAGE_RETRY.maxRetries} retries`);
      }
      return response;
    },
  },
};

/**
 * Inside the retry policy, so it sees each try: the SDK would wait out any `Retry-After` storage sends (and
 * Azure may ask for many seconds); past maxRetryAfterWaitMs the caller is told to come back instead.
 */
const longRetryAfterPolicy: TablePolicy = {
  position: 'perRetry',
  policy: {
    name: 'storageLongRetryAfter',
    async sendRequest(request, next) {
      const response = await next(request);
      const retryAfter = response.status === 429 || response.status === 503 ? retryAfterOf(response.headers) : undefined;
      if (retryAfter !== undefined && retryAfter * 1000 > STORAGE_RETRY.maxRetryAfterWaitMs) {
        throw new StorageUnavailableError(retryAfter, `answered ${response.status} with Retry-After ${retryAfter}`);
      }
      return response;
    },
  },
};

export function tableClientOptions(extraPolicies: readonly TablePolicy[] = []): TableServiceClientOptions {
  const { maxRetries, retryDelayInMs, maxRetryDelayInMs } = STORAGE_RETRY;
  return {
    retryOptions: { maxRetries, retryDelayInMs, maxRetryDelayInMs },
    additionalPolicies: [storageFaultPolicy, longRetryAfterPolicy, ...extraPolicies],
    // The HTTP client the lean point reads send with (point-read.ts): one connection pool for all table calls.
    httpClient: tablesHttpClient(),
  };
}

/**
 * Pipeline policies every storage call would pay for and none needs: the app registers no tracing
 * instrumenter (the policy still builds a span context per call), and Table Storage never redirects. What
 * stays: retries, our fault and deadline policies, signing, the request id and user agent storage logs show,
 * and the SDK's own logging (silent unless AZURE_LOG_LEVEL is set).
 */
const UNNEEDED_TABLE_POLICIES = ['tracingPolicy', 'redirectPolicy'] as const;

export function makeTableClient(storage: StorageConfig, table: string): TableClient {
  const client =
    storage.kind === 'connectionString'
      ? // Azurite speaks plain HTTP on loopback.
        TableClient.fromConnectionString(storage.connectionString, table, { ...tableClientOptions(), allowInsecureConnection: true })
      : new TableClient(storage.tableServiceUri, table, appCredential(storage.clientId), tableClientOptions());
  for (const name of UNNEEDED_TABLE_POLICIES) client.pipeline.removePolicy({ name });
  return client;
}

/** The queue SDK has a retry policy of its own (StorageRetryPolicy); the same bounds. Its callers add the deadline. */
const QUEUE_OPTIONS: StoragePipelineOptions = {
  retryOptions: {
    maxTries: STORAGE_RETRY.maxRetries + 1,
    retryDelayInMs: STORAGE_RETRY.retryDelayInMs,
    maxRetryDelayInMs: STORAGE_RETRY.maxRetryDelayInMs,
  },
};

export function makeQueueClient(storage: StorageConfig, queue: string): QueueClient {
  const { QueueClient } = storageQueue();
  if (storage.kind === 'connectionString') return new QueueClient(storage.connectionString, queue, QUEUE_OPTIONS);
  return new QueueClient(`${storage.queueServiceUri.replace(/\/+$/, '')}/${queue}`, appCredential(storage.clientId), QUEUE_OPTIONS);
}

/** What the app does with a queue: it sends (the Functions host's queue triggers receive, not the SDK). */
export type QueueSender = Pick<QueueClient, 'createIfNotExists' | 'sendMessage'>;

/**
 * A queue the app sends to, whose client (and the queue SDK) is made on the first send: the app is built on
 * its first request, and a read never sends, so it never pays for loading @azure/storage-queue
 * (../lazy-packages.ts). The client is makeQueueClient's, made once.
 */
export function queueSenderOnFirstUse(storage: StorageConfig, queue: string): QueueSender {
  let client: QueueClient | undefined;
  const made = (): QueueClient => (client ??= makeQueueClient(storage, queue));
  return {
    createIfNotExists: (options) => made().createIfNotExists(options),
    sendMessage: (messageText, options) => made().sendMessage(messageText, options),
  };
}

/** The signal a queue call takes: the same deadline as a table call. */
export function storageDeadline(): AbortSignal {
  return AbortSignal.timeout(STORAGE_RETRY.operationDeadlineMs);
}
