import { ariCertIdOfCertificate } from '../../../shared/crypto/ari-cert-id';
import { lifetimeDueOf } from '../../../shared/domain/lifetime-trigger';
import type { RenewalInfo } from '../../../shared/domain/renewal-window';
import type { IssuerProvider } from '../../../shared/issuers/issuer-provider';
import { ProviderRegistry } from '../../../shared/issuers/provider-registry';
import { selfSignedProvider } from '../../../shared/issuers/self-signed-provider';
import { listCertificateVersions } from '../../../shared/services/certificate-versions';
import { createCertificate } from '../../../shared/services/create-certificate';
import { setIssuer } from '../../../shared/services/issuer-objects';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { runDueLifetimeActions } from '../../../shared/services/lifetime-sweep';
import { runDueRenewalInfoChecks } from '../../../shared/services/renewal-info-checks';
import { MemoryRenewalInfoSchedule } from '../../helpers/memory-storage';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

/**
 * ACME Renewal Information (RFC 9773) in the lifetime code, against a CA provider that issues (self-signed,
 * with an Authority Key Identifier) and answers renewal information as the test says. What a user would see:
 * a renewal when the CA's window comes, before the policy's trigger; none while it has not; the replaced
 * certificate named to the CA; nothing asked of a CA that offers no ARI beyond once.
 */
const DAY = 86_400;
const HOUR = 3600;
const START = new Date('2026-01-01T00:00:00Z');

function ariCa() {
  const asked: string[] = [];
  const replaces: (string | undefined)[] = [];
  let answer: (now: number) => RenewalInfo | undefined = () => undefined;
  const self = selfSignedProvider();
  const provider: IssuerProvider = {
    name: 'AriCA',
    start: (request) => {
      replaces.push(request.replaces);
      return self.start(request);
    },
    poll: self.poll,
    cancel: self.cancel,
    async renewalInfo(_issuer, leafDer) {
      asked.push(ariCertIdOfCertificate(leafDer) ?? '');
      return answer(Math.floor(clock().getTime() / 1000));
    },
  };
  const clock = manualClock(START);
  return { provider, clock, asked, replaces, answers: (fn: typeof answer) => void (answer = fn) };
}

async function setUp() {
  const ca = ariCa();
  const renewalInfoSchedule = new MemoryRenewalInfoSchedule();
  const setup = memoryServiceContext({
    clock: ca.clock,
    renewalInfoSchedule,
    providers: new ProviderRegistry({ builtInIssuers: [selfSignedProvider()], available: [ca.provider], unavailable: [] }),
  });
  await setIssuer(setup.ctx, 'ari-ca', { provider: 'AriCA' });
  const runJobs = async () => {
    for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
  };
  const versions = async (name: string) => (await listCertificateVersions(setup.ctx, name, 25)).items.length;
  const leafCertId = async (name: string) => ariCertIdOfCertificate(Buffer.from((await setup.ctx.certificates.getHead(name))?.latest?.chain[0] ?? '', 'base64'));
  const now = () => Math.floor(ca.clock().getTime() / 1000);
  return { ...setup, ...ca, renewalInfoSchedule, runJobs, versions, leafCertId, now };
}

const renewingAt80 = (issuer: string) => ({
  policy: {
    key_props: { kty: 'EC', crv: 'P-256' },
    x509_props: { subject: 'CN=web.example', validity_months: 12 },
    issuer: { name: issuer },
    lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
  },
});

describe('ACME Renewal Information checks', () => {
  it('waits while the CA\'s window is ahead, asking again after its Retry-After; renews at once, naming the replaced certificate, when the CA brings the window forward', async () => {
    const t = await setUp();
    const first = (await createCertificate(t.ctx, 'web', renewingAt80('ari-ca'))).version;
    await t.runJobs();
    const firstCertId = await t.leafCertId('web');
    // The CA's usual window: days 200 to 210, re-ask after 2 hours.
    t.answers(() => ({ start: t.now() - (t.now() % DAY) + 200 * DAY, end: t.now() - (t.now() % DAY) + 210 * DAY, retryAfterSeconds: 2 * HOUR }));
    expect(t.renewalInfoSchedule.all()).toEqual([{ name: 'web', version: first, dueAt: t.now() }]);

    expect(await runDueRenewalInfoChecks(t.ctx)).toMatchObject({ due: 1, waiting: 1, renewed: 0 });
    expect(t.asked).toEqual([firstCertId]);
    expect(t.renewalInfoSchedule.all()).toEqual([{ name: 'web', version: first, dueAt: t.now() + 2 * HOUR }]);
    expect(await runDueRenewalInfoChecks(t.ctx)).toMatchObject({ due: 0 });

    // An incident: the CA wants it replaced now (a window already begun and ended).
    t.clock.advance(2 * HOUR);
    t.answers(() => ({ start: t.now() - DAY, end: t.now() - 60 }));
    expect(await runDueRenewalInfoChecks(t.ctx)).toMatchObject({ due: 1, renewed: 1 });
    await t.runJobs();
    expect(await t.versions('web')).toBe(2);
    expect(t.replaces).toEqual([undefined, firstCertId]);
    // Long before the policy's 80 % trigger of the first version.
    const renewedHead = await t.ctx.certificates.getHead('web');
    expect(renewedHead?.latestVersion).not.toBe(first);

    // The first version's check is dropped; the new version has its own.
    t.clock.advance(6 * HOUR);
    t.answers(() => ({ start: t.now() + 100 * DAY, end: t.now() + 101 * DAY }));
    const report = await runDueRenewalInfoChecks(t.ctx);
    expect(report).toMatchObject({ dropped: 1, waiting: 1, renewed: 0 });
    expect(t.renewalInfoSchedule.all().map((c) => c.version)).toEqual([renewedHead?.latestVersion]);
    expect(await t.versions('web')).toBe(2);
  });

  it('renews at the policy\'s trigger when the CA\'s window is later, naming the replaced certificate to the CA', async () => {
    const t = await setUp();
    await createCertificate(t.ctx, 'web', renewingAt80('ari-ca'));
    await t.runJobs();
    const firstCertId = await t.leafCertId('web');
    t.answers(() => ({ start: t.now() + 400 * DAY, end: t.now() + 401 * DAY }));
    const due = lifetimeDueOf(await t.ctx.certificates.getHead('web'))!;
    t.clock.advance(due.dueAt - t.now());
    expect(await runDueLifetimeActions(t.ctx)).toMatchObject({ renewed: 1 });
    await t.runJobs();
    expect(t.replaces).toEqual([undefined, firstCertId]);
  });

  it('asks a CA that offers no renewal information once per version, and a Self certificate never', async () => {
    const t = await setUp();
    await createCertificate(t.ctx, 'acme', renewingAt80('ari-ca'));
    await createCertificate(t.ctx, 'self', renewingAt80('Self'));
    await t.runJobs();
    expect(t.renewalInfoSchedule.all().map((c) => c.name)).toEqual(['acme']);
    expect(await runDueRenewalInfoChecks(t.ctx)).toMatchObject({ due: 1, dropped: 1 });
    expect(t.renewalInfoSchedule.all()).toEqual([]);
    expect(t.asked).toHaveLength(1);
  });

  it('asks again in an hour when the CA cannot be asked, keeping the certificate as it is', async () => {
    const t = await setUp();
    await createCertificate(t.ctx, 'web', renewingAt80('ari-ca'));
    await t.runJobs();
    t.answers(() => {
      throw new Error('connect ECONNREFUSED');
    });
    const logged: string[] = [];
    expect(await runDueRenewalInfoChecks(t.ctx, (m) => logged.push(m))).toMatchObject({ failed: 1 });
    expect(t.renewalInfoSchedule.all().map((c) => c.dueAt)).toEqual([t.now() + HOUR]);
    expect(logged.join()).toMatch(/ECONNREFUSED/);
    expect(await t.versions('web')).toBe(1);
  });
});
