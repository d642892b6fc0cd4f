import type { ReadableStream } from 'node:stream/web';
import { KeyVaultError } from './key-vault-error';

/**
 * How large a request body may be. Key Vault publishes no request-size limit for the certificates API, only
 * the sizes of what it stores (a secret value, which holds a certificate's PFX or PEM, is at most 25 KB;
 * tags are at most 15), so the bound is ours: 1 MiB, sixteen times the largest import this service accepts
 * (a 64 Ki-character PFX or PEM, a long chain included; see request-bodies.schema.ts) and far above any
 * create, policy, merge or issuer body. Restore is the one route that takes more (a backup blob can hold up
 * to 500 versions) and says so at its registration.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** What the body limit reads the declared length from (fetch's Headers, case-insensitive). */
export interface BodyHeaders {
  get(name: string): string | null;
}

/** 413 in Key Vault's envelope; the code is Azure's usual one for this refusal (Storage answers the same). */
export function requestBodyTooLarge(maxBytes: number): KeyVaultError {
  return new KeyVaultError(413, 'RequestBodyTooLarge', `The request body is larger than the ${maxBytes} bytes this operation accepts.`);
}

/**
 * Refuses a body whose declared `Content-Length` is over the limit, before a byte of it is read. A body
 * without one (chunked) is bounded while it is read (readBodyText).
 */
export function refuseDeclaredOversize(headers: BodyHeaders, maxBytes: number): void {
  const declared = headers.get('content-length');
  if (declared === null) return;
  // Digits only: anything else is not a length the host would have framed the body by.
  if (!/^\d+$/.test(declared.trim())) throw new KeyVaultError(400, 'BadParameter', 'The Content-Length header is not a number of bytes.');
  if (Number(declared.trim()) > maxBytes) throw requestBodyTooLarge(maxBytes);
}

/**
 * The body as UTF-8 text, read chunk by chunk and given up as soon as it passes `maxBytes`, so an oversized
 * body (declared or not) costs at most the limit in memory. Whatever is left unread is the host's to drain or
 * drop; the stream is not cancelled here, since cancelling a socket-backed body would also cut off the 413.
 */
export async function readBodyText(body: ReadableStream | null, maxBytes: number): Promise<string> {
  if (body === null) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError('A request body stream must yield bytes.');
      size += value.byteLength;
      if (size > maxBytes) throw requestBodyTooLarge(maxBytes);
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
