import { errors } from '../../../shared/api/errors';
import { KeyVaultError } from '../../../shared/api/key-vault-error';
import { lifetimeDueOf } from '../../../shared/domain/lifetime-trigger';
import { getCertificateLifetime } from '../../../shared/services/certificate-lifetime';
import { getLatestCertificate } from '../../../shared/services/certificate-reads';
import { createCertificate } from '../../../shared/services/create-certificate';
import { deleteCertificate } from '../../../shared/services/delete-certificate';
import { recoverDeletedCertificate } from '../../../shared/services/deleted-certificates';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { setIssuer } from '../../../shared/services/issuer-objects';
import { type LifetimeEvents, eventsForLifetime } from '../../../shared/services/lifetime-events';
import { runDueLifetimeActions } from '../../../shared/services/lifetime-sweep';
import { purgeDeletedCertificate } from '../../../shared/services/purge-certificates';
import type { ServiceContext } from '../../../shared/services/service-context';
import { MemoryEventOutbox } from '../../helpers/memory-event-outbox';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

/**
 * A renewal whose issuance fails (issue 12): a PrivateCA certificate whose CA certificate was deleted. The
 * renewal's operation fails, which is told as CertificateRenewalFailed; the sweep's retry entry tries again,
 * and once the CA is back the retry issues. GET /certificates/{name}/lifetime's state follows each step.
 */

const START = new Date('2026-01-01T00:00:00Z');
const HOUR = 3600;

function setUp(withEvents = false) {
  const clock = manualClock(START);
  const seen: string[] = [];
  const recorder: LifetimeEvents = {
    nearExpiry: async (c) => void seen.push(`nearExpiry ${c.name}`),
    expired: async (c) => void seen.push(`expired ${c.name}`),
    renewalStarted: async (c) => void seen.push(`renewalStarted ${c.name} attempt ${c.attempt}`),
    renewalFailed: async (c) => void seen.push(`renewalFailed ${c.name} attempt ${c.attempt}${c.requestId ? ' (operation failed)' : ' (not started)'}: ${c.error.code}`),
  };
  const outbox = new MemoryEventOutbox();
  const base = memoryServiceContext({ clock, events: outbox, lifetimeEvents: recorder });
  const ctx: ServiceContext = withEvents ? { ...base.ctx, lifetimeEvents: eventsForLifetime(base.ctx) } : base.ctx;
  const jobOutcomes = async () => Promise.all((await base.takeJobs()).map((job) => runIssuerJob(ctx, job)));
  const now = () => clock().getTime() / 1000;
  return { ctx, clock, seen, outbox, jobOutcomes, now };
}
type Setup = ReturnType<typeof setUp>;

/** A CA (Self), an issuer on it, and a leaf that renews at 80 % through that issuer. */
async function issueThroughCa(setup: Setup): Promise<string> {
  await createCertificate(setup.ctx, 'corp-root', {
    policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=Corp Root', key_usage: ['keyCertSign', 'cRLSign'], validity_months: 24 }, issuer: { name: 'Self' } },
  });
  expect(await setup.jobOutcomes()).toEqual(['issued']);
  await setIssuer(setup.ctx, 'corp-ca', { provider: 'PrivateCA', credentials: { account_id: 'corp-root' } });
  const op = await createCertificate(setup.ctx, 'svc', {
    policy: {
      key_props: { kty: 'EC', crv: 'P-256' },
      x509_props: { subject: 'CN=svc.corp.example', validity_months: 12 },
      issuer: { name: 'corp-ca' },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
    },
  });
  expect(await setup.jobOutcomes()).toEqual(['issued']);
  return op.version;
}

async function advanceToDue(setup: Setup): Promise<number> {
  const due = lifetimeDueOf(await setup.ctx.certificates.getHead('svc'))!;
  setup.clock.advance(due.dueAt - setup.now());
  return due.dueAt;
}

describe('a renewal whose issuance fails', () => {
  it('is told as CertificateRenewalFailed, keeps the current version, and is retried until it issues; its state is readable throughout', async () => {
    const setup = setUp();
    const first = await issueThroughCa(setup);
    const dueAt = lifetimeDueOf(await setup.ctx.certificates.getHead('svc'))!.dueAt;
    expect(await getCertificateLifetime(setup.ctx, 'svc')).toEqual({
      name: 'svc',
      latest: { version: first, expires: expect.any(Number) },
      nextAction: { action: 'AutoRenew', version: first, triggerAt: expect.any(Number), dueAt, retry: false },
    });

    // The CA certificate is deleted: the issuer can no longer sign.
    await deleteCertificate(setup.ctx, 'corp-root');
    await advanceToDue(setup);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ renewed: 1 });
    const started = (await setup.ctx.certificates.getOperation('svc'))!.value;
    expect(started.renewal).toEqual({ fromVersion: first, attempt: 1, retryAt: dueAt + HOUR });
    expect((await getCertificateLifetime(setup.ctx, 'svc')).lastRenewal).toEqual({
      name: 'svc', fromVersion: first, attempt: 1, outcome: 'started', at: dueAt, requestId: started.requestId, nextRetryAt: dueAt + HOUR,
    });

    // GET /certificates/svc/ serves the current version while the renewal runs (not the one it is making).
    expect(await getLatestCertificate(setup.ctx, 'svc')).toMatchObject({ kind: 'issued', version: { version: first } });

    expect(await setup.jobOutcomes()).toEqual(['failed']);
    expect(setup.seen).toEqual(['renewalStarted svc attempt 1', 'renewalFailed svc attempt 1 (operation failed): CertificateIssuerError']);
    // And after it failed: the failed renewal's version is not shown as the latest.
    expect(await getLatestCertificate(setup.ctx, 'svc')).toMatchObject({ kind: 'issued', version: { version: first } });
    const afterFailure = await getCertificateLifetime(setup.ctx, 'svc');
    expect(afterFailure.lastRenewal).toEqual({
      name: 'svc', fromVersion: first, attempt: 1, outcome: 'failed', at: dueAt, requestId: started.requestId,
      error: { code: 'CertificateIssuerError', message: expect.stringContaining("'corp-root' of issuer 'corp-ca' does not exist") },
      nextRetryAt: dueAt + HOUR,
    });
    expect(afterFailure.nextAction).toMatchObject({ action: 'AutoRenew', version: first, dueAt: dueAt + HOUR, retry: true });
    expect((await setup.ctx.certificates.getHead('svc'))!.latestVersion).toBe(first);

    // The CA comes back; the retry entry starts attempt 2 over the failed operation, which does not block it.
    await recoverDeletedCertificate(setup.ctx, 'corp-root');
    setup.clock.advance(HOUR);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ renewed: 1 });
    expect(await setup.jobOutcomes()).toEqual(['issued']);
    const head = (await setup.ctx.certificates.getHead('svc'))!;
    expect(head.latestVersion).not.toBe(first);
    const renewed = await getCertificateLifetime(setup.ctx, 'svc');
    expect(renewed.lastRenewal).toMatchObject({ fromVersion: first, attempt: 2, outcome: 'completed', at: dueAt + HOUR });
    expect(renewed.lastRenewal).not.toHaveProperty('nextRetryAt');
    expect(renewed.nextAction).toEqual({ action: 'AutoRenew', version: head.latestVersion, triggerAt: expect.any(Number), dueAt: lifetimeDueOf(head)!.dueAt, retry: false });
    expect(setup.seen).toHaveLength(3);
  });

  it('raises one CertificateRenewalFailed per failed attempt, each with its own id, about the version in service', async () => {
    const setup = setUp(true);
    const first = await issueThroughCa(setup);
    await deleteCertificate(setup.ctx, 'corp-root');
    await advanceToDue(setup);
    for (const _attempt of [1, 2]) {
      expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ renewed: 1 });
      expect(await setup.jobOutcomes()).toEqual(['failed']);
      setup.clock.advance(HOUR);
    }
    const failed = setup.outbox.sent.filter((e) => e.eventType === 'Microsoft.KeyVault.CertificateRenewalFailed');
    expect(failed).toHaveLength(2);
    expect(new Set(failed.map((e) => e.id)).size).toBe(2);
    for (const event of failed) {
      expect(event.data).toMatchObject({ ObjectName: 'svc', Version: first, Error: { code: 'CertificateIssuerError' } });
    }
  });

  it('a sweep that finds its own renewal still under way keeps it "started" and moves the retry time, which the failure then keeps', async () => {
    const setup = setUp();
    const first = await issueThroughCa(setup);
    await deleteCertificate(setup.ctx, 'corp-root');
    const dueAt = await advanceToDue(setup);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ renewed: 1 });
    setup.clock.advance(HOUR);
    // The job has not run yet (a slow queue): the retry finds the operation in progress.
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ inProgress: 1 });
    expect((await getCertificateLifetime(setup.ctx, 'svc')).lastRenewal).toMatchObject({ attempt: 1, outcome: 'started', nextRetryAt: dueAt + HOUR + 2 * HOUR });

    expect(await setup.jobOutcomes()).toEqual(['failed']);
    expect((await getCertificateLifetime(setup.ctx, 'svc')).lastRenewal).toMatchObject({ fromVersion: first, attempt: 1, outcome: 'failed', nextRetryAt: dueAt + 3 * HOUR });
  });

  it('a renewal that cannot start (a caller\'s create in progress) shows as couldNotStart with Key Vault\'s error', async () => {
    const setup = setUp();
    await issueThroughCa(setup);
    const dueAt = await advanceToDue(setup);
    await createCertificate(setup.ctx, 'svc', { policy: { issuer: { name: 'corp-ca' }, x509_props: { subject: 'CN=svc.corp.example' } } });
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ inProgress: 1 });
    expect((await getCertificateLifetime(setup.ctx, 'svc')).lastRenewal).toEqual({
      name: 'svc', fromVersion: expect.any(String), attempt: 1, outcome: 'couldNotStart', at: dueAt,
      error: { code: errors.createWhileInProgress().code, message: errors.createWhileInProgress().message }, nextRetryAt: dueAt + HOUR,
    });
  });
});

describe('the lifetime state (GET /certificates/{name}/lifetime)', () => {
  const notFound = async (promise: Promise<unknown>) => {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyVaultError);
    expect(error).toMatchObject({ status: 404, code: 'CertificateNotFound' });
  };

  it('is 404 for an unknown or deleted certificate; a purge removes the renewal status with the certificate', async () => {
    const setup = setUp();
    await notFound(getCertificateLifetime(setup.ctx, 'nothing'));
    await issueThroughCa(setup);
    await deleteCertificate(setup.ctx, 'corp-root');
    await advanceToDue(setup);
    await runDueLifetimeActions(setup.ctx);
    await deleteCertificate(setup.ctx, 'svc');
    await notFound(getCertificateLifetime(setup.ctx, 'svc'));
    expect(await setup.ctx.renewalStatus.get('svc')).toBeDefined();
    await purgeDeletedCertificate(setup.ctx, 'svc');
    expect(await setup.ctx.renewalStatus.get('svc')).toBeUndefined();
  });

  it('names only the certificate while its first version is being made', async () => {
    const setup = setUp();
    await createCertificate(setup.ctx, 'first', { policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=first' } } });
    expect(await getCertificateLifetime(setup.ctx, 'first')).toEqual({ name: 'first' });
  });
});
