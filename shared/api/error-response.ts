import { ConfigError } from '../config';
import { ValidationError } from '../domain/validation-error';
import { StorageUnavailableError } from '../storage/storage-unavailable';
import { KeyVaultError } from './key-vault-error';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string; innererror?: { code: string } } };
  /** Set for failures the caller cannot fix: they are logged in full, and answered without details. */
  unexpected?: unknown;
}

/**
 * The one mapper from a thrown value to Key Vault's error envelope. Refusals keep their message; anything
 * unexpected becomes a 500 that names no internals (no stack trace, no upstream body).
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof KeyVaultError) return { status: error.status, headers: { ...error.headers }, body: error.toBody() };
  if (error instanceof ValidationError) return { status: 400, headers: {}, body: { error: { code: 'BadParameter', message: error.message } } };
  const storage = storageUnavailableIn(error);
  if (storage) {
    // The caller did nothing wrong and a retry will do: Key Vault SDKs retry a 503 after its Retry-After.
    const message = 'The service cannot reach its storage right now. Retry the request after the time in Retry-After.';
    return { status: 503, headers: { 'Retry-After': String(storage.retryAfterSeconds) }, body: { error: { code: 'ServiceUnavailable', message } }, unexpected: error };
  }
  const message =
    error instanceof ConfigError
      ? 'The service is not configured correctly; its operators have been told what is missing.'
      : 'The service hit an unexpected error. Retry the request; if it keeps failing, report the x-ms-request-id.';
  return { status: 500, headers: {}, body: { error: { code: 'InternalServerError', message } }, unexpected: error };
}

/** The storage fault itself, or one a service wrapped as the cause of its own error. */
function storageUnavailableIn(error: unknown): StorageUnavailableError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof StorageUnavailableError) return e;
  }
  return undefined;
}
