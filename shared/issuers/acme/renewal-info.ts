import type * as acme from 'acme-client';
import { acmeLibrary } from './acme-http';
import { z } from 'zod';
import type { RenewalInfo } from '../../domain/renewal-window';

/**
 * ACME Renewal Information (RFC 9773) on the wire: whether a directory offers it, and GET {renewalInfo}/{certID}
 * (unauthenticated). Through acme-client's own HTTP client, so the trust and timeouts of acme-http.ts apply.
 */

const renewalInfoBody = z.object({
  suggestedWindow: z.object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }) }),
  explanationURL: z.url().optional(),
});

const directoryBody = z.looseObject({ renewalInfo: z.url().optional() });

/** The directory's renewalInfo URL, or undefined when the CA offers no ARI. */
export function renewalInfoUrlOf(directory: unknown): string | undefined {
  const parsed = directoryBody.safeParse(directory);
  return parsed.success ? parsed.data.renewalInfo : undefined;
}

/** The directory as acme-client keeps it for a client (read once a day), else fetched. */
export async function directoryOf(client: acme.Client | undefined, directoryUrl: string): Promise<unknown> {
  const http = (client as unknown as { api?: { http?: { getDirectory?: () => Promise<unknown> } } } | undefined)?.api?.http;
  if (typeof http?.getDirectory === 'function') return http.getDirectory();
  return (await acmeLibrary().axios.get<unknown>(directoryUrl)).data;
}

/**
 * The CA's answer for one certificate. Throws when the CA answers anything but a well-formed window (RFC 9773
 * §4.2: a window whose end is not after its start is invalid), for the caller to try again later.
 */
export async function fetchRenewalInfo(renewalInfoUrl: string, certId: string): Promise<RenewalInfo> {
  const response = await acmeLibrary().axios.get<unknown>(`${renewalInfoUrl.replace(/\/$/, '')}/${certId}`);
  const body = renewalInfoBody.parse(response.data);
  const start = Math.floor(Date.parse(body.suggestedWindow.start) / 1000);
  const end = Math.floor(Date.parse(body.suggestedWindow.end) / 1000);
  if (!(end > start)) throw new Error(`The ACME server's renewal window for ${certId} ends before it starts.`);
  const retryAfterSeconds = retryAfterOf(response.headers['retry-after']);
  return { start, end, ...(body.explanationURL ? { explanationUrl: body.explanationURL } : {}), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3); the date against the real clock, as the CA's is. */
export function retryAfterOf(header: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}
