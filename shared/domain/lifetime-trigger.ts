import { createHash } from 'node:crypto';
import type { CertificatePolicy, LifetimeActionType } from './certificate-policy';

/**
 * When a certificate's lifetime action is due (docs/storage-design.md, "Lifetime: a due index"). Key Vault
 * allows one lifetime action per policy; it fires at `lifetime_percentage` of the latest version's validity
 * or `days_before_expiry` before its expiry.
 *
 * A disabled latest version is renewed all the same: the lifetime action belongs to the certificate's policy,
 * not to a version's attributes, and a disabled certificate still expires (Key Vault documents no exception).
 */

/**
 * A fleet issued together would otherwise renew in the same minute: each due time is moved later by up to
 * this fraction of the window between the trigger and expiry, by an amount fixed per certificate version
 * (a hash, not a random draw, so that every recomputation of the due time agrees with the stored entry).
 */
export const RENEWAL_JITTER_FRACTION = 0.1;

export interface LifetimeDue {
  action: LifetimeActionType;
  /** Unix seconds: when the policy's trigger is reached for the latest version. */
  triggerAt: number;
  /** Unix seconds: the trigger, moved by the certificate's jitter; when the sweep acts. */
  dueAt: number;
  /** The latest version the action is for. */
  version: string;
}

/** What the due time depends on: the policy and the latest version's validity. */
export interface LifetimeSubject {
  name: string;
  policy: CertificatePolicy;
  latestVersion: string;
  latest?: { notBefore?: number; expires?: number; created?: number };
  deletion?: unknown;
}

/** A stable number in [0, 1) per certificate version. */
function spreadOf(name: string, version: string): number {
  return createHash('sha256').update(`${name.toLowerCase()}/${version}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** The certificate's next lifetime action, or undefined when it has none (deleted, no issued version, no action). */
export function lifetimeDueOf(head: LifetimeSubject | undefined): LifetimeDue | undefined {
  const action = head?.policy.lifetimeActions[0];
  const latest = head?.latest;
  if (!head || head.deletion || !action || !latest || latest.expires === undefined) return undefined;
  const expires = latest.expires;
  const notBefore = latest.notBefore ?? expires;
  const trigger = action.trigger;
  const policyTriggerAt =
    'lifetimePercentage' in trigger ? notBefore + Math.floor(((expires - notBefore) * trigger.lifetimePercentage) / 100) : expires - trigger.daysBeforeExpiry * 86400;
  const triggerAt = cappedTrigger(policyTriggerAt, notBefore, latest.created, expires);
  const window = Math.max(0, expires - triggerAt);
  const dueAt = triggerAt + Math.floor(window * RENEWAL_JITTER_FRACTION * spreadOf(head.name, head.latestVersion));
  return { action: action.action, triggerAt, dueAt, version: head.latestVersion };
}

/**
 * A policy that asks for more time before expiry than the CA gives (`days_before_expiry` 30 on a 6-day
 * certificate: short-lived certificates) would make every version due the moment it is issued, and its renewal
 * too, for ever. Such a version is due two thirds of the way from its start to its expiry instead, as
 * cert-manager does when renewBefore exceeds the duration; its start being the later of its notBefore and when
 * this vault made it, so that a CA whose clock is behind ours (a test moving this service's clock) does not
 * bring the loop back.
 */
function cappedTrigger(triggerAt: number, notBefore: number, created: number | undefined, expires: number): number {
  if (triggerAt > notBefore) return triggerAt;
  const start = Math.max(notBefore, created ?? notBefore);
  return start + Math.floor((Math.max(0, expires - start) * 2) / 3);
}
