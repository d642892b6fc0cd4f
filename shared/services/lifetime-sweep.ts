import { KeyVaultError } from '../api/key-vault-error';
import type { CertificateContact } from '../domain/certificate-contact';
import { unixSeconds } from '../domain/clock';
import { lifetimeDueOf } from '../domain/lifetime-trigger';
import type { LifetimeEntry } from '../storage/repositories';
import { contactsForRun } from './lifetime-events';
import { tellExpiry } from './lifetime-expiry';
import { recordRenewalBusy, recordRenewalNotStarted } from './renewal-outcome';
import { startRenewal } from './start-renewal';
import type { ServiceContext } from './service-context';
import { type SweepBudget, drainDue, sweepBudget } from './sweep-drain';

/** A renewal that did not produce a new version is tried again after 1 h, doubling up to 32 h (cert-manager's curve). */
const RENEWAL_RETRY_BASE_SECONDS = 3600;
const RENEWAL_RETRY_MAX_SECONDS = 32 * 3600;

export function renewalRetryDelaySeconds(attempt: number): number {
  return Math.min(RENEWAL_RETRY_MAX_SECONDS, RENEWAL_RETRY_BASE_SECONDS * 2 ** Math.max(0, attempt - 1));
}

export interface LifetimeReport {
  due: number;
  /** AutoRenew: a new version was started through the create path. */
  renewed: number;
  /** AutoRenew: another version is being made (a create, or an earlier renewal); checked again later. */
  inProgress: number;
  /** EmailContacts: the near-expiry notice was handed to the events. */
  notified: number;
  /** The latest version expired: CertificateExpired was handed to the events (lifetime-expiry.ts). */
  expired: number;
  /** Entries whose certificate has moved on (new version, policy, deleted, purged). */
  dropped: number;
  /** Renewals that could not start, or entries that could not be handled; retried later. */
  failed: number;
  /** The run's time budget ran out with entries still due: the next run takes them (sweep-drain.ts). */
  stoppedAtBudget?: true;
}

/**
 * The lifetime timer: reads only the due entries (key ranges of OperationsDue, batch after batch while they
 * come back full and the budget lasts: sweep-drain.ts), and for each one still matching its certificate takes
 * the policy's lifetime action, or tells that its latest version expired; a few certificates at a time, a
 * certificate's entries one after another. Cost grows with what is due, never with how many certificates are
 * stored: per entry, one head read, and for a renewal the create path's own requests.
 */
export async function runDueLifetimeActions(
  ctx: ServiceContext,
  log: (message: string) => void = () => undefined,
  budget: SweepBudget = sweepBudget(ctx.clock),
): Promise<LifetimeReport> {
  const now = unixSeconds(ctx.clock);
  const report: LifetimeReport = { due: 0, renewed: 0, inProgress: 0, notified: 0, expired: 0, dropped: 0, failed: 0 };
  const run: SweepRun = { now, contacts: contactsForRun(ctx) };
  const drained = await drainDue(ctx.clock, budget, {
    due: (limit) => ctx.lifetimeSchedule.due(now, limit),
    idOf: (entry) => `${entry.kind}/${entry.name.toLowerCase()}/${entry.dueAt}`,
    certificateOf: (entry) => entry.name,
    handle: async (entry) => {
      try {
        report[await actOn(ctx, entry, run)] += 1;
      } catch (error) {
        // One certificate that cannot be handled now must not hold back the others; its entry stays due.
        log(`Lifetime action for ${entry.name} failed, will retry: ${error instanceof Error ? error.message : String(error)}`);
        report.failed += 1;
      }
    },
  });
  report.due = drained.taken;
  if (drained.stoppedAtBudget) report.stoppedAtBudget = true;
  return report;
}

type Outcome = 'renewed' | 'inProgress' | 'notified' | 'expired' | 'dropped' | 'failed';

/** What one run reads once and shares between its entries. */
interface SweepRun {
  now: number;
  /** The vault's contacts, read at most once per run (lifetime-events.ts). */
  contacts: () => Promise<readonly CertificateContact[]>;
}

async function actOn(ctx: ServiceContext, entry: LifetimeEntry, { now, contacts }: SweepRun): Promise<Outcome> {
  if (entry.kind === 'expiry') return tellExpiry(ctx, entry);
  const head = await ctx.certificates.getHead(entry.name);
  const due = lifetimeDueOf(head);
  // An entry earlier than the certificate's due time belongs to an older version or policy; later ones are retries.
  if (!head || !due || entry.dueAt < due.dueAt) {
    await ctx.lifetimeSchedule.remove(entry);
    return 'dropped';
  }
  const current = { name: head.name, version: due.version, notBefore: head.latest?.notBefore ?? due.triggerAt, expires: head.latest?.expires ?? due.triggerAt };
  if (due.action === 'EmailContacts') {
    await ctx.lifetimeEvents.nearExpiry({ ...current, dueAt: due.dueAt, contacts: await contacts() });
    await ctx.lifetimeSchedule.remove(entry);
    return 'notified';
  }
  // AutoRenew. The retry goes in first: whatever happens to this attempt (refused, failed by the issuer, a
  // crash), the certificate is looked at again. A new version moves its due time past the retry, which is
  // then dropped as stale; the current version stays in service throughout.
  const attempt = entry.attempt + 1;
  const retryAt = now + renewalRetryDelaySeconds(attempt);
  await ctx.lifetimeSchedule.schedule({ name: entry.name, kind: 'action', dueAt: retryAt, attempt });
  await ctx.lifetimeSchedule.remove(entry);
  // The operation carries its origin, so the paths that end it tell the renewal's outcome (renewal-outcome.ts).
  const origin = { fromVersion: due.version, attempt, retryAt };
  try {
    await startRenewal(ctx, head, origin);
    return 'renewed';
  } catch (error) {
    if (error instanceof KeyVaultError && error.status === 409) {
      await recordRenewalBusy(ctx, head.name, { code: error.code, message: error.message }, origin);
      return 'inProgress';
    }
    // Told to the certificate's owners (events leave the service): Key Vault's own refusal as it is, anything
    // else in plain words, its detail for the operators' log only.
    const told =
      error instanceof KeyVaultError
        ? { code: error.code, message: error.message }
        : { code: 'RenewalFailed', message: `The renewal could not be started; it is tried again at ${new Date(retryAt * 1000).toISOString()}.` };
    await recordRenewalNotStarted(ctx, head.name, told, origin);
    await ctx.lifetimeEvents.renewalFailed({ ...current, error: told, attempt, retryAt });
    return 'failed';
  }
}
