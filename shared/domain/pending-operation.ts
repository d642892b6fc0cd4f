import type { CertificatePolicy } from './certificate-policy';
import { UNKNOWN_ISSUER } from './certificate-policy';
import type { JsonValue } from './json-value';
import type { RenewalOrigin } from './renewal-status';

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

/**
 * The issuer job's bookkeeping, shown on the operation through a property the SDKs ignore (`issuer_job`,
 * certificate-operation.wire.ts). Times are unix seconds.
 */
export interface JobState {
  /**
   * Failed attempts in a row: transient issuer failures and the job's own errors since the issuer last
   * answered. Reaching the attempt limit fails the operation, which then keeps the count.
   */
  attempts: number;
  /** The attempt limit in force when the last failure was recorded. */
  maxAttempts?: number;
  /** When the job last called the issuer, or last failed. */
  lastAttemptOn?: number;
  /** Why the last attempt failed, in words for the caller (never internal detail); cleared once the issuer answers. */
  lastError?: string;
  /**
   * When the job calls the issuer next: a scheduled poll or retry, or, while a call is under way, when another
   * run may take over if that one died. A job message that comes earlier (a duplicate, the sweep's re-drive)
   * finds nothing to do, so one operation never has two chains of messages asking its issuer.
   */
  nextAttemptOn?: number;
  /**
   * Set while a run calls the provider (nextAttemptOn is then its lease's end). A cancellation waits for that
   * call to end, so the provider is never asked to cancel a state another call is still changing (an ACME
   * order being placed would be left behind).
   */
  callUnderWay?: true;
}

/** A provider's state between calls, as stored: `data` as it is, the secret part sealed to this operation. */
export interface StoredProviderState {
  data: JsonValue;
  sealedSecret?: string;
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
  /**
   * For a renewal: the ACME Renewal Information certID (RFC 9773) of the certificate it replaces, handed to the
   * issuer (IssuanceRequest.replaces). Absent for every other request.
   */
  replaces?: string;
  job: JobState;
  /** What the issuer's provider keeps between calls; absent until its `start` answered `pending`. */
  providerState?: StoredProviderState;
  /** Present when the lifetime sweep started this operation (AutoRenew): its attempt and retry time. */
  renewal?: RenewalOrigin;
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

/**
 * A message may only call the provider when the operation is due: when its next attempt has come, allowing
 * for clocks (the queue's and this instance's) that disagree by a second or two. A cancellation is due at once,
 * unless another run is calling the provider right now: then it waits for that call to end.
 */
const DUE_SLACK_SECONDS = 2;

export function isDueForAttempt(op: PendingOperation, now: number): boolean {
  const due = op.job.nextAttemptOn === undefined || now >= op.job.nextAttemptOn - DUE_SLACK_SECONDS;
  return due || (op.cancellationRequested === true && !op.job.callUnderWay);
}

/**
 * A run takes the operation before calling its provider: the conditional write of this is what lets only one
 * of two concurrent runs call it. Until `leaseUntil` no other run does; after it, a run that died is replaced.
 */
export function withProviderCallUnderWay(op: PendingOperation, leaseUntil: number): PendingOperation {
  return { ...op, job: { ...op.job, nextAttemptOn: leaseUntil, callUnderWay: true } };
}

/** The provider answered and asked to be called again at `nextAttemptOn`: failures in a row start over. */
export function withProviderPending(op: PendingOperation, state: StoredProviderState, now: number, nextAttemptOn: number): PendingOperation {
  return { ...op, providerState: state, job: { attempts: 0, lastAttemptOn: now, nextAttemptOn } };
}

/** One more failed attempt, and when the next one is; the caller sees why (`lastError`) in the meantime. */
export function withAttemptFailed(
  op: PendingOperation,
  now: number,
  failure: { lastError: string; maxAttempts: number; nextAttemptOn?: number; state?: StoredProviderState },
): PendingOperation {
  const job: JobState = {
    attempts: op.job.attempts + 1,
    maxAttempts: failure.maxAttempts,
    lastAttemptOn: now,
    lastError: failure.lastError,
    ...(failure.nextAttemptOn !== undefined ? { nextAttemptOn: failure.nextAttemptOn } : {}),
  };
  return { ...op, ...(failure.state ? { providerState: failure.state } : {}), job, updated: now };
}
