import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a webhook receiver knows a delivery came from this service: the body is signed with HMAC-SHA256 under
 * the subscription's own secret (its UTF-8 bytes), over the exact bytes of the body, and the header carries
 * `sha256=` and the lower-case hex digest (the convention GitHub's webhooks use, which many receivers
 * already verify). A receiver recomputes it over the raw body before parsing it and compares in constant time.
 */
export const SIGNATURE_HEADER = 'x-signature-256';
/** The event's id and type, so a receiver can drop a repeat or route before parsing the body. */
export const EVENT_ID_HEADER = 'x-event-id';
export const EVENT_TYPE_HEADER = 'x-event-type';

const PREFIX = 'sha256=';

export function signatureOf(body: string | Buffer, secret: string): string {
  return PREFIX + createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex');
}

/** Whether `header` is the signature of `body` under `secret` (constant-time, whatever `header` holds). */
export function verifySignature(body: string | Buffer, secret: string, header: string | undefined | null): boolean {
  if (!header) return false;
  const expected = Buffer.from(signatureOf(body, secret), 'utf8');
  const given = Buffer.from(header.trim().toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
