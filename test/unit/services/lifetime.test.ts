import { X509Certificate } from 'node:crypto';
import { KeyDecryptionError, openPrivateKey } from '../../../shared/crypto/key-encryption';
import { type CertificateVersion, withoutKey } from '../../../shared/domain/certificate-version';
import { completed } from '../../../shared/domain/pending-operation';
import { lifetimeDueOf } from '../../../shared/domain/lifetime-trigger';
import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import { deleteContacts, setContacts } from '../../../shared/services/certificate-contacts';
import { listCertificateVersions } from '../../../shared/services/certificate-versions';
import { updateCertificatePolicy } from '../../../shared/services/certificate-policy';
import { createCertificate } from '../../../shared/services/create-certificate';
import { deleteCertificate } from '../../../shared/services/delete-certificate';
import { recoverDeletedCertificate } from '../../../shared/services/deleted-certificates';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { type LifetimeEvents, eventsForLifetime } from '../../../shared/services/lifetime-events';
import { runDueLifetimeActions } from '../../../shared/services/lifetime-sweep';
import { keyBinding } from '../../../shared/services/new-version';
import type { ServiceContext } from '../../../shared/services/service-context';
import type { CertificateHead, CertificateRepository, LifetimeEntry, RenewalStatusRepository } from '../../../shared/storage/repositories';
import { certificateEventId } from '../../../shared/events/certificate-event';
import { MemoryEventOutbox } from '../../helpers/memory-event-outbox';
import { MemoryLifetimeSchedule } from '../../helpers/memory-storage';
import { operationFixture } from '../../helpers/operation-fixture';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

const DAY = 86_400;
const START = new Date('2026-01-01T00:00:00Z');
const NOW = START.getTime() / 1000;

function autoRenewBody(cn: string, trigger: Record<string, number> = { lifetime_percentage: 80 }) {
  return {
    policy: {
      key_props: { kty: 'EC', crv: 'P-256' },
      x509_props: { subject: `CN=${cn}`, validity_months: 12 },
      issuer: { name: 'Self' },
      lifetime_actions: [{ trigger, action: { action_type: 'AutoRenew' } }],
    },
  };
}

function setUp(events: Partial<LifetimeEvents> = {}) {
  const clock = manualClock(START);
  const lifetimeSchedule = new MemoryLifetimeSchedule();
  const seen: string[] = [];
  const lifetimeEvents: LifetimeEvents = {
    nearExpiry: async (c) => void seen.push(`nearExpiry ${c.name}/${c.version}`),
    expired: async (c) => void seen.push(`expired ${c.name}/${c.version}`),
    renewalStarted: async (c) => void seen.push(`renewalStarted ${c.name} attempt ${c.attempt}`),
    renewalFailed: async (c) => void seen.push(`renewalFailed ${c.name} attempt ${c.attempt}`),
    ...events,
  };
  const setup = memoryServiceContext({ clock, lifetimeSchedule, lifetimeEvents });
  return { ...setup, clock, lifetimeSchedule, seen };
}
type Setup = ReturnType<typeof setUp>;

async function runJobs(setup: Setup): Promise<void> {
  for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
}

async function issue(setup: Setup, name: string, body = autoRenewBody(name)): Promise<string> {
  const op = await createCertificate(setup.ctx, name, body);
  await runJobs(setup);
  return op.version;
}

async function versionsOf(ctx: ServiceContext, name: string): Promise<string[]> {
  return (await listCertificateVersions(ctx, name, 25)).items.map((item) => (item.kind === 'issued' ? item.version.version : item.operation.version));
}

/** Moves the clock to the certificate's due time (trigger plus its jitter). */
async function advanceToDue(setup: Setup, name: string): Promise<number> {
  const due = lifetimeDueOf(await setup.ctx.certificates.getHead(name));
  if (!due) throw new Error(`${name} has no lifetime action`);
  const now = setup.clock().getTime() / 1000;
  setup.clock.advance(due.dueAt - now);
  return due.dueAt;
}

describe('the lifetime due index', () => {
  it('holds one entry per issued certificate, at its trigger moved by at most a tenth of the remaining window', async () => {
    const setup = setUp();
    const version = await issue(setup, 'renewing');
    const head = await setup.ctx.certificates.getHead('renewing');
    const { notBefore, expires } = head!.latest!;
    const trigger = notBefore + Math.floor((expires - notBefore) * 0.8);
    const entries = setup.lifetimeSchedule.ofKind('action');
    expect(entries).toEqual([{ name: 'renewing', kind: 'action', dueAt: expect.any(Number), attempt: 0 }]);
    expect(entries[0]!.dueAt).toBeGreaterThanOrEqual(trigger);
    expect(entries[0]!.dueAt).toBeLessThanOrEqual(trigger + Math.ceil((expires - trigger) * 0.1));
    expect(lifetimeDueOf(head)).toMatchObject({ action: 'AutoRenew', triggerAt: trigger, version });
  });

  it('moves with a policy change, and the sweep drops the entry the change left behind', async () => {
    const setup = setUp();
    await issue(setup, 'moved');
    const [before] = setup.lifetimeSchedule.ofKind('action');
    await updateCertificatePolicy(setup.ctx, 'moved', { lifetime_actions: [{ trigger: { days_before_expiry: 10 }, action: { action_type: 'EmailContacts' } }] });
    const after = lifetimeDueOf(await setup.ctx.certificates.getHead('moved'))!;
    expect(setup.lifetimeSchedule.ofKind('action').map((e) => e.dueAt).sort()).toEqual([before!.dueAt, after.dueAt]);

    setup.clock.advance(before!.dueAt - NOW);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, dropped: 1, renewed: 0 });
    expect(setup.lifetimeSchedule.ofKind('action')).toEqual([{ name: 'moved', kind: 'action', dueAt: after.dueAt, attempt: 0 }]);
    expect(await versionsOf(setup.ctx, 'moved')).toHaveLength(1);
  });

  it('is dropped for a deleted certificate and written again when it is recovered', async () => {
    const setup = setUp();
    await issue(setup, 'gone');
    await deleteCertificate(setup.ctx, 'gone');
    await advanceToDue(setup, 'gone').catch(() => undefined);
    setup.clock.advance(330 * DAY);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, dropped: 1 });
    expect(setup.lifetimeSchedule.ofKind('action')).toEqual([]);

    await recoverDeletedCertificate(setup.ctx, 'gone');
    expect(setup.lifetimeSchedule.ofKind('action')).toHaveLength(1);
    // Long past its trigger: the next run renews it.
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, renewed: 1 });
  });
});

/** A certificate with no lifetime action at all: Key Vault tells its expiry all the same. */
function noActionBody(cn: string) {
  const body = autoRenewBody(cn);
  return { policy: { ...body.policy, lifetime_actions: [] } };
}

/** Moves the clock to the certificate's latest version's expiry. */
async function advanceToExpiry(setup: Setup, name: string): Promise<number> {
  const expires = (await setup.ctx.certificates.getHead(name))!.latest!.expires;
  setup.clock.advance(expires - setup.clock().getTime() / 1000);
  return expires;
}

describe('the lifetime sweep: CertificateExpired', () => {
  it('is told once when the latest version expires, for a certificate without a lifetime action too', async () => {
    const setup = setUp();
    const version = await issue(setup, 'lapses', noActionBody('lapses'));
    const expires = (await setup.ctx.certificates.getHead('lapses'))!.latest!.expires;
    expect(setup.lifetimeSchedule.all()).toEqual([{ name: 'lapses', kind: 'expiry', dueAt: expires, attempt: 0 }]);

    await advanceToExpiry(setup, 'lapses');
    setup.clock.advance(-1);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 0 });
    setup.clock.advance(1);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, expired: 1 });
    setup.clock.advance(30 * DAY);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 0 });
    expect(setup.seen).toEqual([`expired lapses/${version}`]);
    expect(setup.lifetimeSchedule.all()).toEqual([]);
  });

  it('is not told for a version replaced before it expired, only for the one that is latest when it expires', async () => {
    const setup = setUp();
    await issue(setup, 'replaced', noActionBody('replaced'));
    setup.clock.advance(DAY);
    const second = await issue(setup, 'replaced', noActionBody('replaced'));
    expect(setup.lifetimeSchedule.ofKind('expiry')).toHaveLength(2);

    setup.clock.advance(365 * DAY - DAY);
    // The first version's expiry entry comes due first: dropped, no event.
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, dropped: 1, expired: 0 });
    expect(setup.seen).toEqual([]);
    await advanceToExpiry(setup, 'replaced');
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, expired: 1 });
    expect(setup.seen).toEqual([`expired replaced/${second}`]);
  });

  it('is not told for a deleted certificate; told once it is recovered', async () => {
    const setup = setUp();
    const version = await issue(setup, 'deleted-expiry', noActionBody('deleted-expiry'));
    await deleteCertificate(setup.ctx, 'deleted-expiry');
    await advanceToExpiry(setup, 'deleted-expiry').catch(() => undefined);
    setup.clock.advance(366 * DAY);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, dropped: 1, expired: 0 });
    expect(setup.seen).toEqual([]);

    await recoverDeletedCertificate(setup.ctx, 'deleted-expiry');
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, expired: 1 });
    expect(setup.seen).toEqual([`expired deleted-expiry/${version}`]);
  });

  it('is not written again by a policy change that leaves the version alone', async () => {
    const setup = setUp();
    await issue(setup, 'same-version', noActionBody('same-version'));
    const [entry] = setup.lifetimeSchedule.ofKind('expiry');
    await setup.lifetimeSchedule.remove(entry!);
    await updateCertificatePolicy(setup.ctx, 'same-version', { lifetime_actions: [{ trigger: { days_before_expiry: 10 }, action: { action_type: 'EmailContacts' } }] });
    expect(setup.lifetimeSchedule.ofKind('expiry')).toEqual([]);
    expect(setup.lifetimeSchedule.ofKind('action')).toHaveLength(1);
  });
});

describe('the lifetime sweep: AutoRenew', () => {
  it('does nothing before the due time, then starts one new version through the create path', async () => {
    const setup = setUp();
    const first = await issue(setup, 'auto');
    const dueAt = await advanceToDue(setup, 'auto');
    setup.clock.advance(-1);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 0 });

    setup.clock.advance(1);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, renewed: 1 });
    expect(setup.seen).toEqual(['renewalStarted auto attempt 1']);
    // The current version is served until the new one is issued.
    expect((await setup.ctx.certificates.getHead('auto'))!.latestVersion).toBe(first);
    await runJobs(setup);
    const versions = await versionsOf(setup.ctx, 'auto');
    expect(versions).toHaveLength(2);
    const second = (await setup.ctx.certificates.getHead('auto'))!;
    expect(second.latestVersion).not.toBe(first);
    // A new key, as the policy does not reuse it.
    expect(second.latest!.publicKeySpki).not.toBe((await setup.ctx.certificates.getVersion('auto', first))!.publicKeySpki);
    // The new version's due time is a year on; the retry left behind is dropped when it comes due.
    const next = lifetimeDueOf(second)!;
    expect(next.dueAt).toBeGreaterThan(dueAt + 250 * DAY);
    setup.clock.advance(2 * 3600);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, dropped: 1, renewed: 0 });
    expect(setup.lifetimeSchedule.ofKind('action')).toEqual([{ name: 'auto', kind: 'action', dueAt: next.dueAt, attempt: 0 }]);
  });

  it('does not double an operation already in progress, and looks again later', async () => {
    const setup = setUp();
    await issue(setup, 'busy');
    await advanceToDue(setup, 'busy');
    // A caller's own create, not yet issued.
    const theirs = await createCertificate(setup.ctx, 'busy', autoRenewBody('busy'));
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, inProgress: 1, renewed: 0 });
    expect((await setup.ctx.certificates.getOperation('busy'))!.value.requestId).toBe(theirs.requestId);
    expect(setup.lifetimeSchedule.ofKind('action')).toEqual([{ name: 'busy', kind: 'action', dueAt: expect.any(Number), attempt: 1 }]);
  });

  it('retries a renewal that cannot start with growing delays, while the current version stays in service', async () => {
    const setup = setUp();
    const current = await issue(setup, 'flaky');
    await advanceToDue(setup, 'flaky');
    const certificates = setup.ctx.certificates;
    let outage = true;
    const failing = new Proxy(certificates, {
      get(target, property: keyof CertificateRepository) {
        if (property === 'putOperation' && outage) return async () => Promise.reject(new Error('storage unavailable'));
        const value = target[property];
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const ctx = { ...setup.ctx, certificates: failing };
    const now = () => setup.clock().getTime() / 1000;

    expect(await runDueLifetimeActions(ctx)).toMatchObject({ due: 1, failed: 1 });
    expect(setup.lifetimeSchedule.ofKind('action')).toEqual([{ name: 'flaky', kind: 'action', dueAt: now() + 3600, attempt: 1 }]);
    setup.clock.advance(3600);
    expect(await runDueLifetimeActions(ctx)).toMatchObject({ due: 1, failed: 1 });
    expect(setup.lifetimeSchedule.ofKind('action')).toEqual([{ name: 'flaky', kind: 'action', dueAt: now() + 7200, attempt: 2 }]);
    expect(setup.seen).toEqual(['renewalFailed flaky attempt 1', 'renewalFailed flaky attempt 2']);
    expect((await setup.ctx.certificates.getHead('flaky'))!.latestVersion).toBe(current);

    outage = false;
    setup.clock.advance(7200);
    expect(await runDueLifetimeActions(ctx)).toMatchObject({ due: 1, renewed: 1 });
    await runJobs(setup);
    expect(await versionsOf(setup.ctx, 'flaky')).toHaveLength(2);
  });
});

describe('the lifetime sweep: AutoRenew with reuse_key', () => {
  const reusing = (cn: string, key: { kty: string; crv: string; reuse_key: boolean } = { kty: 'EC', crv: 'P-256', reuse_key: true }) => {
    const body = autoRenewBody(cn);
    return { policy: { ...body.policy, key_props: key } };
  };
  const keyOf = async (ctx: ServiceContext, name: string, version: string) => {
    const stored = (await ctx.certificates.getVersion(name, version))!;
    return { stored, pkcs8: openPrivateKey(ctx.keyEncryptionKey, stored.sealedPrivateKey!, keyBinding(name, version)) };
  };

  it('renews with the latest version\'s key, sealed again so that it opens only as the new version\'s', async () => {
    const setup = setUp();
    const first = await issue(setup, 'kept', reusing('kept'));
    await advanceToDue(setup, 'kept');
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, renewed: 1 });
    await runJobs(setup);
    const second = (await setup.ctx.certificates.getHead('kept'))!.latestVersion;
    expect(second).not.toBe(first);

    const [old, renewed] = [await keyOf(setup.ctx, 'kept', first), await keyOf(setup.ctx, 'kept', second)];
    expect(renewed.stored.publicKeySpki).toBe(old.stored.publicKeySpki);
    expect(renewed.pkcs8.equals(old.pkcs8)).toBe(true);
    // Not the old row's ciphertext copied: bound to the new version, it does not open as the old one's.
    expect(renewed.stored.sealedPrivateKey).not.toBe(old.stored.sealedPrivateKey);
    expect(() => openPrivateKey(setup.ctx.keyEncryptionKey, renewed.stored.sealedPrivateKey!, keyBinding('kept', first))).toThrow(KeyDecryptionError);
    // The issued certificate carries that key.
    expect(new X509Certificate(Buffer.from(renewed.stored.chain[0]!, 'base64')).publicKey.export({ type: 'spki', format: 'der' }).toString('base64')).toBe(old.stored.publicKeySpki);
  });

  it('makes a new key when the policy now names another key type, even with reuse_key', async () => {
    const setup = setUp();
    const first = await issue(setup, 'rekeyed', reusing('rekeyed'));
    await updateCertificatePolicy(setup.ctx, 'rekeyed', { key_props: { kty: 'EC', crv: 'P-384', reuse_key: true } });
    await advanceToDue(setup, 'rekeyed');
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, renewed: 1 });
    await runJobs(setup);
    const latest = (await setup.ctx.certificates.getHead('rekeyed'))!.latest!;
    expect(latest.publicKeySpki).not.toBe((await setup.ctx.certificates.getVersion('rekeyed', first))!.publicKeySpki);
    expect(latest.keySpec).toMatchObject({ kty: 'EC', curve: 'P-384' });
  });

  it('is honoured by a caller\'s own new version too (the create path is the same), and only when asked', async () => {
    const setup = setUp();
    const first = await issue(setup, 'manual', reusing('manual'));
    const spkiOf = async (version: string) => (await setup.ctx.certificates.getVersion('manual', version))!.publicKeySpki;
    const second = await issue(setup, 'manual', reusing('manual'));
    expect(await spkiOf(second)).toBe(await spkiOf(first));
    const third = await issue(setup, 'manual', reusing('manual', { kty: 'EC', crv: 'P-256', reuse_key: false }));
    expect(await spkiOf(third)).not.toBe(await spkiOf(first));
  });
});

describe('the lifetime sweep: EmailContacts', () => {
  it('tells the events once per due occurrence', async () => {
    const setup = setUp();
    const version = await issue(setup, 'mail', autoRenewBody('mail', { days_before_expiry: 30 }));
    await updateCertificatePolicy(setup.ctx, 'mail', { lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } }] });
    await advanceToDue(setup, 'mail');
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, notified: 1 });
    setup.clock.advance(DAY);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 0 });
    expect(setup.seen).toEqual([`nearExpiry mail/${version}`]);
  });
});

describe('the lifetime sweep told as certificate events (the deployment\'s wiring)', () => {
  function withEvents() {
    const outbox = new MemoryEventOutbox();
    const setup = setUp();
    const ctx: ServiceContext = { ...setup.ctx, events: outbox };
    return { ...setup, ctx: { ...ctx, lifetimeEvents: eventsForLifetime(ctx) }, outbox };
  }

  it('an EmailContacts action due raises one CertificateNearExpiry, and one written late (queue down) keeps it due and raises the same event', async () => {
    const setup = withEvents();
    const version = await issue(setup, 'notify', autoRenewBody('notify', { days_before_expiry: 30 }));
    await updateCertificatePolicy(setup.ctx, 'notify', { lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } }] });
    await advanceToDue(setup, 'notify');
    const nearExpiry = () => setup.outbox.sent.filter((e) => e.eventType === 'Microsoft.KeyVault.CertificateNearExpiry');

    setup.outbox.failNext();
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, failed: 1 });
    expect(nearExpiry()).toEqual([]);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, notified: 1 });
    setup.clock.advance(DAY);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 0 });

    expect(nearExpiry()).toHaveLength(1);
    const head = await setup.ctx.certificates.getHead('notify');
    expect(nearExpiry()[0]).toMatchObject({ subject: 'notify', data: { ObjectName: 'notify', Version: version, ObjectType: 'Certificate', EXP: head!.latest!.expires, NBF: head!.latest!.notBefore } });
  });

  it('addresses each CertificateNearExpiry to the vault\'s contacts (data.Contacts), read once per run; none set is an empty list', async () => {
    const setup = withEvents();
    const emailContacts = { lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } }] };
    for (const name of ['mail-a', 'mail-b']) await issue(setup, name, { policy: { ...autoRenewBody(name).policy, ...emailContacts } });
    await setContacts(setup.ctx, { contacts: [{ email: 'ops@contoso.example', name: 'Ops', phone: '' }, { email: 'pki@contoso.example' }] });
    let contactReads = 0;
    const counting = { ...setup.ctx.contacts, get: () => ((contactReads += 1), setup.ctx.contacts.get()) };
    const ctx = { ...setup.ctx, contacts: counting };

    expect(await runDueLifetimeActions(ctx)).toMatchObject({ due: 0 });
    expect(contactReads).toBe(0);
    // Past both due times (each has its own jitter).
    setup.clock.advance(Math.max(await advanceToDue(setup, 'mail-a'), await advanceToDue(setup, 'mail-b')) - setup.clock().getTime() / 1000);
    expect(await runDueLifetimeActions(ctx)).toMatchObject({ due: 2, notified: 2 });
    expect(contactReads).toBe(1);
    const contacts = [{ email: 'ops@contoso.example', name: 'Ops' }, { email: 'pki@contoso.example' }];
    expect(setup.outbox.sent.map((e) => [e.eventType, e.subject, e.data.Contacts])).toEqual(
      expect.arrayContaining([
        ['Microsoft.KeyVault.CertificateNearExpiry', 'mail-a', contacts],
        ['Microsoft.KeyVault.CertificateNearExpiry', 'mail-b', contacts],
      ]),
    );

    // With no contacts set, the notice is still raised (a receiver may route it elsewhere), addressed to none.
    await deleteContacts(setup.ctx);
    const version = await issue(setup, 'mail-a', { policy: { ...autoRenewBody('mail-a').policy, ...emailContacts } });
    await advanceToDue(setup, 'mail-a');
    expect(await runDueLifetimeActions(ctx)).toMatchObject({ notified: 1 });
    expect(setup.outbox.sent.at(-1)).toMatchObject({ eventType: 'Microsoft.KeyVault.CertificateNearExpiry', data: { Version: version, Contacts: [] } });
    // Only the notice carries contacts.
    expect(setup.outbox.sent.filter((e) => e.eventType !== 'Microsoft.KeyVault.CertificateNearExpiry').every((e) => !('Contacts' in e.data))).toBe(true);
  });

  it('an expired version raises one CertificateExpired; a write that fails keeps it due and repeats the same event id', async () => {
    const setup = withEvents();
    const version = await issue(setup, 'expires', noActionBody('expires'));
    const expires = await advanceToExpiry(setup, 'expires');
    const expired = () => setup.outbox.sent.filter((e) => e.eventType === 'Microsoft.KeyVault.CertificateExpired');

    setup.outbox.failNext();
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, failed: 1 });
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 1, expired: 1 });
    setup.clock.advance(DAY);
    expect(await runDueLifetimeActions(setup.ctx)).toMatchObject({ due: 0 });

    expect(expired()).toHaveLength(1);
    expect(expired()[0]).toMatchObject({ subject: 'expires', data: { ObjectName: 'expires', Version: version, EXP: expires } });
    // The id is the occurrence's (the version), as a retried write would repeat it.
    expect(expired()[0]!.id).toBe(certificateEventId('Microsoft.KeyVault.CertificateExpired', setup.ctx.vaultUrl, { name: 'expires', version }, version));
  });

  it('a renewal that cannot start raises CertificateRenewalFailed per attempt, in words for the owner, not internal text', async () => {
    const setup = withEvents();
    await issue(setup, 'renew-fails');
    await advanceToDue(setup, 'renew-fails');
    const failing = new Proxy(setup.ctx.certificates, {
      get(target, property: keyof CertificateRepository) {
        if (property === 'putOperation') return async () => Promise.reject(new Error('TableService: internal detail'));
        const value = target[property];
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    expect(await runDueLifetimeActions({ ...setup.ctx, certificates: failing })).toMatchObject({ failed: 1 });
    const failed = setup.outbox.sent.filter((e) => e.eventType === 'Microsoft.KeyVault.CertificateRenewalFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data.Error).toEqual({ code: 'RenewalFailed', message: expect.stringMatching(/^The renewal could not be started; it is tried again at \d{4}-/) });
    expect(JSON.stringify(failed)).not.toContain('internal detail');
  });
});

describe('the lifetime sweep cost', () => {
  it('reads only what is due: 100,000 certificates stored, 10 due', async () => {
    const setup = setUp();
    const policy = resolvePolicy(autoRenewBody('x').policy, NOW);
    const total = 100_000;
    const DUE = 10;
    // The first ten were issued 300 days ago and are past their trigger; the rest were issued today.
    const version = (name: string, i: number, sealed: Pick<CertificateVersion, 'sealedPrivateKey' | 'publicKeySpki'>): CertificateVersion => {
      const notBefore = i < DUE ? NOW - 300 * DAY : NOW;
      return {
        name, version: i.toString(16).padStart(32, '0'), enabled: true, notBefore, expires: notBefore + 365 * DAY, created: NOW, updated: NOW, tags: {},
        chain: ['bGVhZg'], x5t: 'eDV0', keySpec: policy.key, exportable: true, ...sealed,
        secretContentType: policy.secretContentType, policy, preserveCertOrder: false,
      };
    };
    const headOf = (v: CertificateVersion): CertificateHead => ({ name: v.name, policy, latestVersion: v.version, latest: withoutKey(v) });
    // The due ten through the store's own write (the renewal reads their operation).
    for (let i = 0; i < DUE; i++) {
      const name = `cert-${i}`;
      const op = operationFixture({ name, requestId: 'r', version: i.toString(16).padStart(32, '0'), policy, created: NOW });
      const v = version(name, i, op);
      const head = headOf(v);
      await setup.storage.certificates.completeOperation(completed(op, NOW), undefined, v, head);
      await setup.lifetimeSchedule.schedule({ name, kind: 'action', dueAt: lifetimeDueOf(head)!.dueAt, attempt: 0 });
      await setup.lifetimeSchedule.schedule({ name, kind: 'expiry', dueAt: v.expires, attempt: 0 });
    }
    // The rest only need to be there, with their index entries (every certificate's expiry too: none due, the
    // oldest expire in 65 days); seeded without the stores' copies, which were most of this test's time.
    const placeholderKey = { sealedPrivateKey: 'c2VhbGVk', publicKeySpki: 'c3BraQ' };
    const entries: LifetimeEntry[] = [];
    for (let i = DUE; i < total; i++) {
      const v = version(`cert-${i}`, i, placeholderKey);
      const head = headOf(v);
      setup.storage.certificates.seedIssued(v, head);
      entries.push({ name: v.name, kind: 'action', dueAt: lifetimeDueOf(head)!.dueAt, attempt: 0 }, { name: v.name, kind: 'expiry', dueAt: v.expires, attempt: 0 });
    }
    setup.lifetimeSchedule.seed(entries);
    let certificateReads = 0;
    const counting = new Proxy(setup.ctx.certificates, {
      get(target, property: keyof CertificateRepository) {
        const value = target[property];
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (/^(get|list|read)/.test(String(property))) certificateReads += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    // The renewal status (one row beside each head) is read before the sweep records a started renewal.
    let statusReads = 0;
    const statuses = setup.ctx.renewalStatus;
    const renewalStatus: RenewalStatusRepository = {
      get: async (name) => ((statusReads += 1), statuses.get(name)),
      put: (status) => statuses.put(status),
      // A conditional write: one read of the row first (renewal-status-store.ts).
      putStarted: async (status) => ((statusReads += 1), statuses.putStarted(status)),
      remove: (name) => statuses.remove(name),
    };
    const report = await runDueLifetimeActions({ ...setup.ctx, certificates: counting, renewalStatus });
    expect(report).toMatchObject({ due: 10, renewed: 10 });
    const read = setup.lifetimeSchedule.entitiesRead + certificateReads + statusReads;
    console.log(
      `lifetime sweep over ${total} certificates, 10 due: ${setup.lifetimeSchedule.entitiesRead} index entities + ${certificateReads} certificate reads + ${statusReads} renewal status reads = ${read}`,
    );
    expect(read).toBeLessThanOrEqual(100);
  });
});
