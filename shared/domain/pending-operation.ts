import type { CertificatePolicy } from './certificate-policy';
import { UNKNOWN_ISSUER } from './certificate-policy';

/** The status words on the wire; the JS SDK compares `inProgress` case-sensitively. */
export type OperationStatus = 'inProgress' | 'completed' | 'failed' | 'cancelled';

/**
 * Error codes on a finished operation. The code tells an issuer's failure from a request that was refused
 * or withdrawn, as the seed article asks.
 */
export const OPERATION_ERROR_CODES = {
  issuerError: 'CertificateIssuerError',
  rejected: 'RequestRejected',
  timedOut: 'RequestTimedOut',
} as const;

export interface OperationError {
  code: string;
  message: string;
}

/** Retry bookkeeping of the issuer job, shown on the operation through properties the SDK ignores. */
export interface JobState {
  attempts: number;
  lastAttemptOn?: number;
  lastError?: string;
}

/**
 * The one pending operation a certificate name can have: the request for a new version. It carries the
 * new version's policy and its key (sealed), so a single write creates, advances or finishes it.
 */
export interface PendingOperation {
  /** The name as the caller spelled it at creation. */
  name: string;
  requestId: string;
  /** The certificate version this operation creates. */
  version: string;
  /**
   * The policy the new version is made under: its key, CSR and issuer were chosen by it, so it never changes
   * once the operation exists.
   */
  policy: CertificatePolicy;
  /**
   * The certificate's policy when a policy update (PATCH /certificates/{name}/policy) came after this
   * operation started, as Key Vault allows while a create is pending. Reads show it, and the head takes it
   * when the operation completes, so the next version is made under it; absent when there was no update.
   */
  currentPolicy?: CertificatePolicy;
  /** Attributes and tags the new version gets. */
  enabled: boolean;
  tags: Record<string, string>;
  preserveCertOrder: boolean;
  csr: string;
  /** The new version's private key, sealed with the key-encryption key. */
  sealedPrivateKey: string;
  publicKeySpki: string;
  cancellationRequested: boolean;
  status: OperationStatus;
  statusDetails?: string;
  error?: OperationError;
  /** DELETE /pending removes the operation from view but the version it started stays visible, disabled. */
  deleted: boolean;
  /** Unix seconds. */
  created: number;
  updated: number;
  /**
   * Unix seconds before which no issuer job issues the certificate (ISSUANCE_MIN_SECONDS), so callers see
   * `inProgress` for a while as on Key Vault. Absent when the setting is off.
   */
  issuableFrom?: number;
  job: JobState;
}

const STATUS_DETAILS = {
  issuerInProgress:
    'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.',
  awaitingMerge: 'Pending certificate created. Please Perform Merge to complete the request.',
} as const;

export function statusDetailsOnCreate(issuerName: string): string {
  return issuerName === UNKNOWN_ISSUER ? STATUS_DETAILS.awaitingMerge : STATUS_DETAILS.issuerInProgress;
}

/** The certificate's policy as far as this operation knows: an update made while it ran, else its own. */
export function certificatePolicyOf(op: PendingOperation): CertificatePolicy {
  return op.currentPolicy ?? op.policy;
}

/** The operation with the certificate's policy changed; the version it makes keeps the policy it was made under. */
export function withCurrentPolicy(op: PendingOperation, policy: CertificatePolicy): PendingOperation {
  return { ...op, currentPolicy: policy };
}

/** Whether a new create or import may replace what this name has (S5, S6). */
export function blocksNewVersion(op: PendingOperation | undefined): boolean {
  return op !== undefined && !op.deleted && op.status === 'inProgress';
}

/** Whether the operation is visible through /pending (a deleted one is not). */
export function isVisible(op: PendingOperation | undefined): op is PendingOperation {
  return op !== undefined && !op.deleted;
}

/** Whether an issuer job (not a merge) is what drives this operation forward. */
export function isIssuerDriven(op: PendingOperation): boolean {
  return op.policy.issuer.name !== UNKNOWN_ISSUER;
}

export function withCancellationRequested(op: PendingOperation, now: number): PendingOperation {
  return { ...op, cancellationRequested: true, updated: now };
}

export function completed(op: PendingOperation, now: number): PendingOperation {
  const { statusDetails: _details, error: _error, ...rest } = op;
  return { ...rest, status: 'completed', updated: now };
}

export function failed(op: PendingOperation, error: OperationError, now: number): PendingOperation {
  return { ...op, status: 'failed', statusDetails: '', error, updated: now };
}

/**
 * A cancelled operation carries neither `error` nor `status_details`, as Key Vault's recordings show: with
 * an error, the JS SDK's getCertificateOperation throws instead of returning the operation, and the Python
 * SDK fails reading it. `cancellation_requested` and the status say all there is to say.
 */
export function cancelled(op: PendingOperation, now: number): PendingOperation {
  const { statusDetails: _details, error: _error, ...rest } = op;
  return { ...rest, status: 'cancelled', updated: now };
}

/**
 * The earliest issuance for an operation created at `nowMs` when issuance must take at least `minSeconds`:
 * whole seconds rounded up, so the wait is never shorter than asked. Undefined when there is no minimum.
 */
export function issuableFromFor(nowMs: number, minSeconds: number): number | undefined {
  return minSeconds > 0 ? Math.ceil(nowMs / 1000 + minSeconds) : undefined;
}

/** Whole seconds (rounded up) until the operation may be issued; 0 when it may be issued now. */
export function secondsUntilIssuable(op: PendingOperation, nowMs: number): number {
  if (op.issuableFrom === undefined) return 0;
  return Math.max(0, Math.ceil((op.issuableFrom * 1000 - nowMs) / 1000));
}

export function markedDeleted(op: PendingOperation, now: number): PendingOperation {
  return { ...op, deleted: true, updated: now };
}

export function withJobAttempt(op: PendingOperation, now: number, lastError?: string): PendingOperation {
  const job: JobState = { attempts: op.job.attempts + 1, lastAttemptOn: now, ...(lastError ? { lastError } : {}) };
  return { ...op, job, updated: now };
}
