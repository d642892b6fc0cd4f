import { expiryDueOf } from '../domain/lifetime-expiry';
import { type LifetimeSubject, lifetimeDueOf } from '../domain/lifetime-trigger';
import { scheduleRenewalInfoCheckOf } from './renewal-info-checks';
import type { ServiceContext } from './service-context';

/**
 * Writes the entries for a certificate's state as it will be after a change, before the change is written
 * (a crash then leaves an extra entry, which the sweep drops, never a missing one): the lifetime action's and
 * the latest version's expiry. `before` is the state the change replaces, when the caller has it: an unchanged
 * due time is not written again, so a policy update that leaves the trigger alone does not repeat an action
 * already taken, and one that leaves the version alone does not write its expiry again.
 */
export async function scheduleLifetimeOf(ctx: Pick<ServiceContext, 'lifetimeSchedule' | 'renewalInfoSchedule'>, after: LifetimeSubject, before?: LifetimeSubject): Promise<void> {
  await scheduleActionOf(ctx, after, before);
  await scheduleExpiryOf(ctx, after, before);
}

async function scheduleActionOf(ctx: Pick<ServiceContext, 'lifetimeSchedule' | 'renewalInfoSchedule'>, after: LifetimeSubject, before?: LifetimeSubject): Promise<void> {
  const due = lifetimeDueOf(after);
  if (!due) return;
  await scheduleRenewalInfoCheckOf(ctx, after, before);
  const previous = before && lifetimeDueOf(before);
  if (previous?.dueAt === due.dueAt && previous.version === due.version) return;
  await ctx.lifetimeSchedule.schedule({ name: after.name, kind: 'action', dueAt: due.dueAt, attempt: 0 });
}

async function scheduleExpiryOf(ctx: Pick<ServiceContext, 'lifetimeSchedule'>, after: LifetimeSubject, before?: LifetimeSubject): Promise<void> {
  const expiry = expiryDueOf(after);
  if (!expiry) return;
  const previous = before && expiryDueOf(before);
  if (previous?.expiresAt === expiry.expiresAt && previous.version === expiry.version) return;
  await ctx.lifetimeSchedule.schedule({ name: after.name, kind: 'expiry', dueAt: expiry.expiresAt, attempt: 0 });
}
