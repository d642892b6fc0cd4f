import { lifetimeDueOf } from '../../../shared/domain/lifetime-trigger';
import { updateCertificatePolicy } from '../../../shared/services/certificate-policy';
import { createCertificate } from '../../../shared/services/create-certificate';
import { setIssuer, updateIssuer } from '../../../shared/services/issuer-objects';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { eventsForLifetime } from '../../../shared/services/lifetime-events';
import { runDueLifetimeActions } from '../../../shared/services/lifetime-sweep';
import type { ServiceContext } from '../../../shared/services/service-context';
import { MemoryEventOutbox } from '../../helpers/memory-event-outbox';
import { MemoryLifetimeSchedule } from '../../helpers/memory-storage';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

/**
 * AutoRenew whose issuer cannot issue here: Key Vault's partner CAs (DigiCert, GlobalSign), which issuer objects
 * may name so Key Vault configurations load unchanged, or an issuer object deleted or disabled since. The sweep
 * must neither start a renewal that is sure to fail (a failed operation in place of the completed one, at every
 * retry) nor go quiet: it tells the owner why, once per attempt, backs off to a day and a half, and renews as
 * soon as the issuer can issue again.
 */
const HOUR = 3600;

function setUp() {
  const clock = manualClock(new Date('2026-01-01T00:00:00Z'));
  const lifetimeSchedule = new MemoryLifetimeSchedule();
  const outbox = new MemoryEventOutbox();
  const setup = memoryServiceContext({ clock, lifetimeSchedule, events: outbox });
  const ctx: ServiceContext = { ...setup.ctx, lifetimeEvents: eventsForLifetime({ ...setup.ctx, events: outbox }) };
  return { ...setup, ctx, clock, lifetimeSchedule, outbox };
}

async function issuedThenMovedToPartner(setup: ReturnType<typeof setUp>, name: string, provider: string): Promise<string> {
  await createCertificate(setup.ctx, name, {
    policy: {
      key_props: { kty: 'EC', crv: 'P-256' },
      x509_props: { subject: `CN=${name}`, validity_months: 12 },
      issuer: { name: 'Self' },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
    },
  });
  for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
  await setIssuer(setup.ctx, 'partner', { provider });
  // As a Key Vault user does when moving a certificate to a partner CA: the policy now names that issuer.
  await updateCertificatePolicy(setup.ctx, name, { issuer: { name: 'partner' } });
  const head = await setup.ctx.certificates.getHead(name);
  setup.clock.advance(lifetimeDueOf(head)!.dueAt - setup.clock().getTime() / 1000);
  return head!.latestVersion!;
}

const now = (setup: ReturnType<typeof setUp>) => setup.clock().getTime() / 1000;
const renewalFailures = (setup: ReturnType<typeof setUp>) =>
  setup.outbox.sent.filter((e) => e.eventType === 'Microsoft.KeyVault.CertificateRenewalFailed').map((e) => e.data.Error);

describe.each(['DigiCert', 'GlobalSign'])('AutoRenew with a %s issuer (a partner CA this service cannot reach)', (provider) => {
  it('starts no renewal, tells the owner why once per attempt, backs off to 32 h, and keeps the current version in service', async () => {
    const setup = setUp();
    const current = await issuedThenMovedToPartner(setup, 'partnered', provider);
    const operationBefore = await setup.ctx.certificates.getOperation('partnered');

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, failed: 1, renewed: 0 });
      const [entry] = setup.lifetimeSchedule.all().filter((e) => e.kind === 'action');
      expect(entry).toMatchObject({ name: 'partnered', attempt });
      delays.push((entry!.dueAt - now(setup)) / HOUR);
      // Nothing runs between retries: a run before the retry is due finds nothing.
      expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 0 });
      setup.clock.advance(entry!.dueAt - now(setup));
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 32, 32]);
    // No operation was started: the certificate's operation is still the completed issuance, not a failed renewal.
    expect((await setup.ctx.certificates.getOperation('partnered'))?.value).toEqual(operationBefore?.value);
    expect((await setup.ctx.certificates.getHead('partnered'))!.latestVersion).toBe(current);
    expect(await setup.takeJobs()).toEqual([]);
    const failures = renewalFailures(setup);
    expect(failures).toHaveLength(8);
    expect(failures[0]).toEqual({
      code: 'CertificateIssuerError',
      message: expect.stringContaining(`The issuer 'partner' uses the provider '${provider}', which cannot issue certificates in this deployment`),
    });
  });
});

describe('AutoRenew whose issuer cannot issue, then can again', () => {
  it('renews at the next retry once the issuer object names a provider that issues here', async () => {
    const setup = setUp();
    await issuedThenMovedToPartner(setup, 'fixed', 'DigiCert');
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ failed: 1 });
    await updateIssuer(setup.ctx, 'partner', { provider: 'Test' });
    setup.clock.advance(HOUR);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, renewed: 1 });
    expect((await setup.ctx.certificates.getOperation('fixed'))?.value.status).toBe('inProgress');
  });

  it('says so when the issuer object was deleted or disabled since the policy named it', async () => {
    const setup = setUp();
    await issuedThenMovedToPartner(setup, 'orphaned', 'Test');
    await updateIssuer(setup.ctx, 'partner', { attributes: { enabled: false } });
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ failed: 1, renewed: 0 });
    expect(renewalFailures(setup)).toEqual([{ code: 'CertificateIssuerError', message: expect.stringContaining("The issuer 'partner' is disabled.") }]);
  });
});
