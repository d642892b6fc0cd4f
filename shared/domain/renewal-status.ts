import type { OperationError, PendingOperation } from './pending-operation';

/**
 * What a user can read about a certificate's automatic renewal (GET /certificates/{name}/lifetime,
 * docs/lifetime.md): the last attempt and how it ended. Written by the lifetime sweep when it starts an
 * attempt (or cannot), and by the paths that end the operation it started (issued, failed, cancelled).
 */

/** Marks an operation the lifetime sweep started (AutoRenew), so the paths that end it know to tell it. */
export interface RenewalOrigin {
  /** The version in service that the attempt is to replace. */
  fromVersion: string;
  /** The sweep's attempt for the current trigger, from 1. */
  attempt: number;
  /** Unix seconds: when the sweep's retry entry comes due, in case this attempt makes no version. */
  retryAt: number;
}

/**
 * `started`: an operation is under way (its request id). `completed`: it issued the new version. `failed`:
 * the issuer failed or gave up (the operation's error). `cancelled`: a caller cancelled it. `couldNotStart`:
 * no operation was started (another version being made, an issuer that is gone, storage down).
 */
export type RenewalOutcome = 'started' | 'completed' | 'failed' | 'cancelled' | 'couldNotStart';

export interface RenewalStatus {
  name: string;
  /** The version in service that the attempt was to replace. */
  fromVersion: string;
  attempt: number;
  outcome: RenewalOutcome;
  /** Unix seconds: when the outcome was recorded. */
  at: number;
  /** The operation the attempt started; absent for `couldNotStart`. */
  requestId?: string;
  /** Why it failed or could not start, in words for the owner (never internal detail). */
  error?: OperationError;
  /** Unix seconds: when the sweep tries again; absent once a version was issued. */
  nextRetryAt?: number;
}

/** The status an ended renewal operation leaves; undefined for an operation not started by the sweep or not ended. */
export function renewalStatusOfEnded(op: PendingOperation, now: number): RenewalStatus | undefined {
  const origin = op.renewal;
  if (!origin || op.status === 'inProgress') return undefined;
  const base = { name: op.name, fromVersion: origin.fromVersion, attempt: origin.attempt, at: now, requestId: op.requestId };
  if (op.status === 'completed') return { ...base, outcome: 'completed' };
  const retry = { nextRetryAt: origin.retryAt };
  if (op.status === 'cancelled') return { ...base, outcome: 'cancelled', ...retry };
  return { ...base, outcome: 'failed', ...(op.error ? { error: op.error } : {}), ...retry };
}
