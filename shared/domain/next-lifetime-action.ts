import type { LifetimeActionType } from './certificate-policy';
import { type LifetimeSubject, lifetimeDueOf } from './lifetime-trigger';
import type { RenewalStatus } from './renewal-status';

/** What the lifetime sweep does next for a certificate, as GET /certificates/{name}/lifetime shows it. */
export interface NextLifetimeAction {
  action: LifetimeActionType;
  /** The latest version the action is for. */
  version: string;
  /** Unix seconds: the policy's trigger for that version. */
  triggerAt: number;
  /** Unix seconds: when the sweep acts (the trigger with its jitter, or the retry of a renewal that made no version). */
  dueAt: number;
  /** True when `dueAt` is the retry of an earlier attempt. */
  retry: boolean;
}

/**
 * The next lifetime action from the head (policy and latest version) and the last renewal outcome: the policy's
 * due time, unless a renewal of this same version made no version yet, in which case the sweep's retry entry
 * is what comes next. A status about an older version (renewed since, or replaced by a caller) says nothing
 * about this one.
 */
export function nextLifetimeActionOf(head: LifetimeSubject | undefined, last: RenewalStatus | undefined): NextLifetimeAction | undefined {
  const due = lifetimeDueOf(head);
  if (!due) return undefined;
  const next = { action: due.action, version: due.version, triggerAt: due.triggerAt, dueAt: due.dueAt, retry: false };
  const retryAt = last?.outcome !== 'completed' && last?.fromVersion === due.version ? last.nextRetryAt : undefined;
  return due.action === 'AutoRenew' && retryAt !== undefined && retryAt > due.dueAt ? { ...next, dueAt: retryAt, retry: true } : next;
}
