import { ConfigError } from '../config';
import { ValidationError } from '../domain/validation-error';
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
  const message =
    error instanceof ConfigError
      ? 'The service is not configured correctly; its operators have been told what is missing.'
      : 'The service hit an unexpected error. Retry the request; if it keeps failing, report the x-ms-request-id.';
  return { status: 500, headers: {}, body: { error: { code: 'InternalServerError', message } }, unexpected: error };
}
