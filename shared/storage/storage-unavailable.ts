/**
 * Storage that cannot answer (unreachable, throttling, timing out) after the SDK's own retries: not the caller's
 * fault and not a bug, so it is answered 503 `ServiceUnavailable` with `Retry-After`, never with storage's text.
 * The clients keep no state about it: the next request tries again, so the service recovers when storage does.
 */

/** What a caller is told to wait when storage gave no hint: a brief outage or throttling usually clears by then. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;
/** Storage's own `Retry-After` is passed on, but never more than this. */
const MAX_RETRY_AFTER_SECONDS = 60;

export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';

  constructor(
    readonly retryAfterSeconds: number,
    /** For the app's log only (it may carry storage's own text). */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Storage is unavailable: ${detail}`, options);
  }
}

/** Connection-level failures of Node and of the Azure SDK pipeline (`REQUEST_SEND_ERROR` wraps the rest). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'REQUEST_SEND_ERROR']);
/** Busy (503 ServerBusy), throttled (429), timed out (500 OperationTimedOut, 408, 504) or a bad gateway. */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** Storage's own `Retry-After` (seconds) on a throttling answer, bounded; undefined when it gave none. */
export function retryAfterOf(headers: { get(name: string): string | undefined | null } | undefined): number | undefined {
  const seconds = Number(headers?.get('retry-after'));
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.min(Math.ceil(seconds), MAX_RETRY_AFTER_SECONDS);
}

/**
 * The storage failure as StorageUnavailableError when it is one a later retry can cure, else undefined. An
 * `AbortError` counts: the clients abort only on their own deadline (no caller passes a signal).
 */
export function asStorageUnavailable(error: unknown): StorageUnavailableError | undefined {
  if (error instanceof StorageUnavailableError) return error;
  const code = field(error, 'code');
  const status = field(error, 'statusCode');
  if (field(error, 'name') === 'AbortError') return new StorageUnavailableError(STORAGE_RETRY_AFTER_SECONDS, 'no answer within the deadline', { cause: error });
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return new StorageUnavailableError(STORAGE_RETRY_AFTER_SECONDS, `unreachable (${code})`, { cause: error });
  if (typeof status === 'number' && TRANSIENT_STATUSES.has(status)) {
    const headers = field(field(error, 'response'), 'headers') as { get(name: string): string | undefined } | undefined;
    const retryAfter = retryAfterOf(headers) ?? STORAGE_RETRY_AFTER_SECONDS;
    return new StorageUnavailableError(retryAfter, `answered ${status}${typeof code === 'string' ? ` ${code}` : ''}`, { cause: error });
  }
  return undefined;
}

/** Runs a storage call, turning a failure that a retry can cure into StorageUnavailableError. */
export async function storageCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw asStorageUnavailable(error) ?? error;
  }
}
