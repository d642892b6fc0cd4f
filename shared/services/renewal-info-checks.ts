import { KeyVaultError } from '../api/key-vault-error';
import { unixSeconds } from '../domain/clock';
import { type LifetimeSubject, lifetimeDueOf } from '../domain/lifetime-trigger';
import { RENEWAL_INFO_MIN_RECHECK_SECONDS, nextRenewalInfoCheck, renewalTimeInWindow } from '../domain/renewal-window';
import type { RenewalInfoCheck } from '../storage/renewal-info-schedule';
import { resolveIssuer } from './issuer-resolution';
import { startRenewal } from './start-renewal';
import type { ServiceContext } from './service-context';
import { type SweepBudget, drainDue, sweepBudget } from './sweep-drain';

/**
 * ACME Renewal Information (RFC 9773; docs/acme.md, "Renewal information"): for an AutoRenew certificate whose
 * CA offers it, the CA's suggested window can bring a renewal earlier than the policy's trigger (a CA revoking
 * certificates after an incident asks for them to be replaced within days). The policy's lifetime entry is left
 * as it is, so the earlier of the two renews and the CA can never postpone what the policy asks for.
 *
 * Each AutoRenew version issued by a CA (not Self) gets a check, due when the version is made; a check asks the
 * provider, which answers only for a CA that offers ARI (the others drop the check for good: one request per
 * version). A window whose chosen time (a hash of name and version, spread over the window) has come starts
 * the renewal through the create path, naming the replaced certificate; otherwise the check moves to that time
 * or to the CA's Retry-After (kept within 1 h and 24 h), whichever is sooner. Cost: what is due, one key range
 * a batch; a run drains what is due within its budget, a few certificates at a time (sweep-drain.ts).
 */

/** Issuer names no CA stands behind: nothing to ask. */
const NOT_A_CA = new Set(['self', 'unknown']);

/** The first check of a new AutoRenew version from a CA, due at once; written beside its lifetime entry. */
export async function scheduleRenewalInfoCheckOf(ctx: Pick<ServiceContext, 'renewalInfoSchedule'>, after: LifetimeSubject, before?: LifetimeSubject): Promise<void> {
  const due = lifetimeDueOf(after);
  if (!due || due.action !== 'AutoRenew' || NOT_A_CA.has(after.policy.issuer.name.toLowerCase())) return;
  if (before && !before.deletion && before.latestVersion === after.latestVersion) return;
  const made = after.latest?.created ?? after.latest?.notBefore ?? due.triggerAt;
  await ctx.renewalInfoSchedule.schedule({ name: after.name, version: after.latestVersion, dueAt: made });
}

export interface RenewalInfoReport {
  due: number;
  /** The CA's window had come: a renewal was started. */
  renewed: number;
  /** The window had come but another version is being made; asked again later. */
  inProgress: number;
  /** Not yet: the check moved to the chosen time or the CA's Retry-After. */
  waiting: number;
  /** The certificate moved on, or its CA offers no ARI: the check is gone. */
  dropped: number;
  /** The CA could not be asked or the renewal could not start; asked again in an hour. */
  failed: number;
  /** The run's time budget ran out with checks still due: the next run takes them. */
  stoppedAtBudget?: true;
}

type Outcome = Exclude<keyof RenewalInfoReport, 'due' | 'stoppedAtBudget'>;

export async function runDueRenewalInfoChecks(
  ctx: ServiceContext,
  log: (message: string) => void = () => undefined,
  budget: SweepBudget = sweepBudget(ctx.clock),
): Promise<RenewalInfoReport> {
  const now = unixSeconds(ctx.clock);
  const report: RenewalInfoReport = { due: 0, renewed: 0, inProgress: 0, waiting: 0, dropped: 0, failed: 0 };
  const drained = await drainDue(ctx.clock, budget, {
    due: (limit) => ctx.renewalInfoSchedule.due(now, limit),
    idOf: (check) => `${check.name.toLowerCase()}/${check.version}/${check.dueAt}`,
    certificateOf: (check) => check.name,
    handle: async (check) => {
      try {
        report[await checkOne(ctx, check, now, log)] += 1;
      } catch (error) {
        // Storage failing: the check stays due and the next run tries again.
        log(`Renewal information check for ${check.name} failed, will retry: ${error instanceof Error ? error.message : String(error)}`);
        report.failed += 1;
      }
    },
  });
  report.due = drained.taken;
  if (drained.stoppedAtBudget) report.stoppedAtBudget = true;
  return report;
}

/** The next check goes in before this one goes out: a crash between leaves an extra check, never none. */
async function moveCheck(ctx: ServiceContext, check: RenewalInfoCheck, dueAt: number): Promise<void> {
  await ctx.renewalInfoSchedule.schedule({ ...check, dueAt });
  await ctx.renewalInfoSchedule.remove(check);
}

async function checkOne(ctx: ServiceContext, check: RenewalInfoCheck, now: number, log: (message: string) => void): Promise<Outcome> {
  const head = await ctx.certificates.getHead(check.name);
  const due = lifetimeDueOf(head);
  const leaf = head?.latest?.chain[0];
  if (!head || !leaf || due?.action !== 'AutoRenew' || head.latestVersion !== check.version) {
    await ctx.renewalInfoSchedule.remove(check);
    return 'dropped';
  }
  const resolved = await resolveIssuer(ctx, head.policy.issuer.name);
  if ('unavailable' in resolved || !resolved.provider.renewalInfo) {
    await ctx.renewalInfoSchedule.remove(check);
    return 'dropped';
  }
  let info;
  try {
    info = await resolved.provider.renewalInfo(resolved.issuer, Buffer.from(leaf, 'base64'));
  } catch (error) {
    log(`The CA of ${check.name} could not say when to renew it; asking again in an hour: ${error instanceof Error ? error.message : String(error)}`);
    await moveCheck(ctx, check, now + RENEWAL_INFO_MIN_RECHECK_SECONDS);
    return 'failed';
  }
  if (!info) {
    await ctx.renewalInfoSchedule.remove(check);
    return 'dropped';
  }
  const renewAt = renewalTimeInWindow(info, head.name, head.latestVersion);
  const nextCheck = nextRenewalInfoCheck(now, info.retryAfterSeconds);
  if (renewAt > now) {
    await moveCheck(ctx, check, Math.min(renewAt, nextCheck));
    return 'waiting';
  }
  // The CA's time has come. Checked again after its Retry-After: a renewal that fails is started again then
  // (and the policy's own trigger and retries still stand).
  await moveCheck(ctx, check, nextCheck);
  // Recorded as the policy's renewals are (GET /certificates/{name}/lifetime): its "retry" is the next check.
  const origin = { fromVersion: head.latestVersion, attempt: 1, retryAt: nextCheck };
  try {
    await startRenewal(ctx, head, origin);
    return 'renewed';
  } catch (error) {
    if (error instanceof KeyVaultError && error.status === 409) return 'inProgress';
    log(`The renewal of ${check.name} the CA asked for could not start: ${error instanceof Error ? error.message : String(error)}`);
    return 'failed';
  }
}
