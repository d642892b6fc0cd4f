import type { CertificateBundle, CertificateItem, LifetimeWire } from './wire';
import { nameOf } from './wire';

/** One line of the certificate table, and one bar of the timeline. Times in milliseconds. */
export interface CertificateRow {
  name: string;
  issuer: string;
  subject: string;
  sans: string[];
  keyType: string;
  notBefore?: number;
  expires?: number;
  enabled: boolean;
  /** No version issued yet: only the pending request exists. */
  pendingOnly: boolean;
  /** A pending operation exists (first issuance or a renewal). */
  hasPending: boolean;
  nextAction?: { action: string; triggerAt?: number; dueAt?: number; retry: boolean };
  lastRenewal?: { outcome: string; at?: number; error?: string };
}

export function keyTypeOf(bundle: CertificateBundle): string {
  const key = bundle.policy?.key_props;
  if (!key?.kty) return '';
  if (key.kty.startsWith('EC')) return `EC ${key.crv ?? ''}`.trim();
  return `${key.kty} ${key.key_size ?? ''}`.trim();
}

const seconds = (value: number | undefined) => (value === undefined ? undefined : value * 1000);

export function certificateRowOf(bundle: CertificateBundle, lifetime?: LifetimeWire): CertificateRow {
  const x509 = bundle.policy?.x509_props;
  const sans = [...(x509?.sans?.dns_names ?? []), ...(x509?.sans?.emails ?? []), ...(x509?.sans?.upns ?? [])];
  const next = lifetime?.next_action;
  const last = lifetime?.last_renewal;
  const pendingOnly = !bundle.x5t;
  const row: CertificateRow = {
    name: nameOf(bundle.id),
    issuer: bundle.policy?.issuer?.name ?? '',
    subject: x509?.subject ?? '',
    sans,
    keyType: keyTypeOf(bundle),
    enabled: bundle.attributes?.enabled ?? false,
    pendingOnly,
    hasPending: bundle.pending !== undefined,
  };
  // A pending version's dates are placeholders, not a validity window.
  if (!pendingOnly) {
    const notBefore = seconds(bundle.attributes?.nbf);
    const expires = seconds(bundle.attributes?.exp);
    if (notBefore !== undefined) row.notBefore = notBefore;
    if (expires !== undefined) row.expires = expires;
  }
  if (next) {
    row.nextAction = { action: next.action_type, retry: next.retry ?? false };
    const triggerAt = seconds(next.trigger_at);
    const dueAt = seconds(next.due_at);
    if (triggerAt !== undefined) row.nextAction.triggerAt = triggerAt;
    if (dueAt !== undefined) row.nextAction.dueAt = dueAt;
  }
  if (last) {
    row.lastRenewal = { outcome: last.outcome ?? 'unknown' };
    const at = seconds(last.at);
    if (at !== undefined) row.lastRenewal.at = at;
    if (last.error?.message) row.lastRenewal.error = last.error.message;
  }
  return row;
}

/**
 * What the list alone says of a certificate (name, validity, enabled, issued or not), drawn before each
 * certificate's own reads come back: a large vault's table and expiry dates show at once, the rest follows.
 */
export function certificateRowOfItem(item: CertificateItem): CertificateRow {
  const pendingOnly = !item.x5t;
  const row: CertificateRow = { name: nameOf(item.id), issuer: '', subject: '', sans: [], keyType: '', enabled: item.attributes?.enabled ?? false, pendingOnly, hasPending: false };
  if (!pendingOnly) {
    const notBefore = seconds(item.attributes?.nbf);
    const expires = seconds(item.attributes?.exp);
    if (notBefore !== undefined) row.notBefore = notBefore;
    if (expires !== undefined) row.expires = expires;
  }
  return row;
}
