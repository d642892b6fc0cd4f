import { formatRelative, formatTime } from './format';
import type { CertificateBundle, LifetimeWire, OperationWire } from './wire';

/** One pending operation as the page lists it. Times in milliseconds. */
export interface PendingRow {
  name: string;
  status: string;
  issuer: string;
  cancellationRequested: boolean;
  /** When the request was made, where the service says (a certificate never issued: its pending version's created). */
  createdAt?: number;
  attempts: number;
  maxAttempts?: number;
  lastAttempt?: number;
  nextAttempt?: number;
  lastError?: string;
  /** The operation's own outcome error (status failed). */
  error?: string;
  statusDetails?: string;
}

const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);

export function pendingRowOf(name: string, op: OperationWire, createdAt?: number): PendingRow {
  const job = op.issuer_job ?? {};
  const row: PendingRow = {
    name,
    status: op.status ?? 'unknown',
    issuer: op.issuer?.name ?? '',
    cancellationRequested: op.cancellation_requested ?? false,
    attempts: job.attempts ?? 0,
  };
  if (createdAt !== undefined) row.createdAt = createdAt;
  if (job.max_attempts !== undefined) row.maxAttempts = job.max_attempts;
  const last = ms(job.last_attempt);
  const next = ms(job.next_attempt);
  if (last !== undefined) row.lastAttempt = last;
  if (next !== undefined) row.nextAttempt = next;
  if (job.last_error) row.lastError = job.last_error;
  if (op.error?.message) row.error = `${op.error.code ? `${op.error.code}: ` : ''}${op.error.message}`;
  if (op.status_details) row.statusDetails = op.status_details;
  return row;
}

/** Key Vault cancels only a request still in progress, and only once. */
export function canCancel(row: PendingRow): boolean {
  return row.status === 'inProgress' && !row.cancellationRequested;
}

/** Deleting the pending object is allowed whatever its status. */
export function canDelete(_row: PendingRow): boolean {
  return true;
}

/** `2 failed attempts of 5; next attempt in 59 min`, in words, for the retry column. */
export function retryStateOf(row: PendingRow, now: number): string {
  const parts: string[] = [];
  const limit = row.maxAttempts !== undefined ? ` of ${row.maxAttempts}` : '';
  parts.push(row.attempts === 0 ? 'no failed attempts' : `${row.attempts} failed attempt${row.attempts === 1 ? '' : 's'}${limit}`);
  if (row.lastAttempt !== undefined) parts.push(`last asked ${formatRelative(row.lastAttempt, now)}`);
  if (row.status === 'inProgress') {
    if (row.cancellationRequested) parts.push('cancellation requested');
    else if (row.nextAttempt !== undefined) parts.push(`next attempt ${formatRelative(row.nextAttempt, now)} (${formatTime(row.nextAttempt)})`);
  }
  return parts.join('; ');
}

/**
 * Whether a certificate's pending operation must be read to know if it is pending work. The bundle links
 * one (`pending`) for as long as the operation is readable, finished ones included; reading them all would
 * double the page's requests for a vault of issued certificates. Not issued yet (or a caller's own create on
 * top, which shows as the latest version): read it. Issued, with an operation: that operation is finished,
 * unless it is a renewal the lifetime sweep started that has not completed, which the lifetime says.
 */
export function needsOperationRead(bundle: Pick<CertificateBundle, 'x5t' | 'pending'>, lifetime: LifetimeWire | undefined): boolean {
  if (!bundle.pending) return false;
  if (!bundle.x5t) return true;
  const outcome = lifetime?.last_renewal?.outcome;
  return outcome !== undefined && outcome !== 'completed';
}
