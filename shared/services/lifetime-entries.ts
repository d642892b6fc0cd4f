import { type LifetimeSubject, lifetimeDueOf } from '../domain/lifetime-trigger';
import { scheduleRenewalInfoCheckOf } from './renewal-info-checks';
import type { ServiceContext } from './service-context';

/**
 * Writes the entry for a certificate's state as it will be after a change, before the change is written
 * (a crash then leaves an extra entry, which the sweep drops, never a missing one). `before` is the state
 * the change replaces, when the caller has it: an unchanged due time is not written again, so a policy
 * update that leaves the trigger alone does not repeat an action already taken.
 */
export async function scheduleLifetimeOf(ctx: Pick<ServiceContext, 'lifetimeSchedule' | 'renewalInfoSchedule'>, after: LifetimeSubject, before?: LifetimeSubject): Promise<void> {
  const due = lifetimeDueOf(after);
  if (!due) return;
  await scheduleRenewalInfoCheckOf(ctx, after, before);
  if (before && lifetimeDueOf(before)?.dueAt === due.dueAt && lifetimeDueOf(before)?.version === due.version) return;
  await ctx.lifetimeSchedule.schedule({ name: after.name, dueAt: due.dueAt, attempt: 0 });
}
