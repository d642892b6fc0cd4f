import { errors } from '../../../shared/api/errors';
import { KeyVaultError } from '../../../shared/api/key-vault-error';
import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import { withoutKey } from '../../../shared/domain/certificate-version';
import { completed } from '../../../shared/domain/pending-operation';
import { createCertificate } from '../../../shared/services/create-certificate';
import { deleteCertificate } from '../../../shared/services/delete-certificate';
import { getDeletedCertificate, recoverDeletedCertificate } from '../../../shared/services/deleted-certificates';
import { getLatestCertificate } from '../../../shared/services/certificate-reads';
import { purgeDeletedCertificate, purgeDueCertificates } from '../../../shared/services/purge-certificates';
import type { ServiceContext } from '../../../shared/services/service-context';
import type { CertificateRepository } from '../../../shared/storage/repositories';
import { operationFixture } from '../../helpers/operation-fixture';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

const DAY = 86_400;
const NOW = Date.UTC(2026, 0, 1) / 1000;
const policy = resolvePolicy({ x509_props: { subject: 'CN=purge' } }, NOW);
const selfBody = { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=purge' }, issuer: { name: 'Self' } } };

/** `count` issued versions written straight into the repository, as completions write them (fast: no keys are made). */
async function withVersions(ctx: ServiceContext, name: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const op = operationFixture({ name, requestId: `r${i}`, version: i.toString(16).padStart(32, '0'), policy, created: NOW });
    const existing = await ctx.certificates.getOperation(name);
    const etag = await ctx.certificates.putOperation(op, existing?.etag);
    const version = {
      name,
      version: op.version,
      enabled: true,
      notBefore: NOW,
      expires: NOW + DAY,
      created: NOW,
      updated: NOW,
      tags: {},
      chain: ['bGVhZg'],
      x5t: 'eDV0',
      keySpec: policy.key,
      exportable: true,
      sealedPrivateKey: op.sealedPrivateKey,
      publicKeySpki: op.publicKeySpki,
      secretContentType: policy.secretContentType,
      policy,
      preserveCertOrder: false,
    };
    await ctx.certificates.completeOperation(completed(op, NOW), etag, version, { name, policy, latestVersion: op.version, latest: withoutKey(version) });
  }
}

async function refusal(promise: Promise<unknown>): Promise<KeyVaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KeyVaultError)) throw new Error(`expected a KeyVaultError, got ${String(error)}`);
  return error;
}

/** Counts the certificate repository's calls per (method, lower-cased name), passing them through. */
function counted(ctx: ServiceContext): { ctx: ServiceContext; calls: Map<string, number>; batches: number[] } {
  const calls = new Map<string, number>();
  const batches: number[] = [];
  const inner = ctx.certificates;
  const certificates = new Proxy(inner, {
    get(target, property: keyof CertificateRepository) {
      const method = target[property];
      if (typeof method !== 'function') return method;
      return (...args: unknown[]) => {
        const first = args[0];
        const name = typeof first === 'string' ? first : ((first as { value?: { name?: string }; name?: string }).value?.name ?? (first as { name?: string }).name ?? '?');
        const key = `${String(property)} ${name.toLowerCase()}`;
        calls.set(key, (calls.get(key) ?? 0) + 1);
        if (property === 'deleteVersions') batches.push((args[1] as string[]).length);
        return (method as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { ctx: { ...ctx, certificates }, calls, batches };
}

const touchedNames = (calls: Map<string, number>) => new Set([...calls.keys()].map((k) => k.split(' ')[1]));

describe('DELETE /deletedcertificates/{name} (purge)', () => {
  it('removes every row of the certificate, in batches of at most 100 versions, and frees the name', async () => {
    const setup = memoryServiceContext();
    await withVersions(setup.ctx, 'Many', 205);
    await withVersions(setup.ctx, 'neighbour', 2);
    await deleteCertificate(setup.ctx, 'many');
    const { ctx, batches } = counted(setup.ctx);

    await purgeDeletedCertificate(ctx, 'MANY');
    expect(batches).toEqual([100, 100, 5]);
    expect(await setup.storage.certificates.listVersions('many', 10)).toEqual({ versions: [] });
    expect(await setup.storage.certificates.getHead('many')).toBeUndefined();
    expect(await setup.storage.certificates.getOperation('many')).toBeUndefined();
    expect(await setup.storage.purgeSchedule.due(NOW + 365 * DAY, 10)).toEqual([]);
    expect(await refusal(getDeletedCertificate(setup.ctx, 'many'))).toEqual(errors.deletedCertificateNotFound('many'));
    expect((await setup.storage.certificates.listVersions('neighbour', 10)).versions).toHaveLength(2);
    // The name takes a new certificate.
    await createCertificate(setup.ctx, 'many', selfBody);
  });

  it('answers 404 "Deleted Certificate not found" for a live certificate and for a name with nothing', async () => {
    const setup = memoryServiceContext();
    await withVersions(setup.ctx, 'live', 1);
    expect(await refusal(purgeDeletedCertificate(setup.ctx, 'live'))).toEqual(errors.deletedCertificateNotFound('live'));
    expect(await getLatestCertificate(setup.ctx, 'live')).toMatchObject({ kind: 'issued' });
    expect(await refusal(purgeDeletedCertificate(setup.ctx, 'none'))).toEqual(errors.deletedCertificateNotFound('none'));
  });

  it('purges a certificate deleted before its first version was issued', async () => {
    const setup = memoryServiceContext();
    await createCertificate(setup.ctx, 'early', selfBody);
    await deleteCertificate(setup.ctx, 'early');
    await purgeDeletedCertificate(setup.ctx, 'early');
    expect(await setup.storage.certificates.getHead('early')).toBeUndefined();
    expect(await setup.storage.certificates.getOperation('early')).toBeUndefined();
  });

  it('continues a purge that stopped half way: the name answers 409 ObjectIsBeingDeleted until it is done', async () => {
    const setup = memoryServiceContext();
    await withVersions(setup.ctx, 'crashed', 150);
    await deleteCertificate(setup.ctx, 'crashed');
    // The first batch of versions goes, then the process "dies".
    let batches = 0;
    const crashing = Object.assign(Object.create(setup.ctx.certificates) as CertificateRepository, {
      deleteVersions: async (name: string, versions: readonly string[]) => {
        if (++batches > 1) throw new Error('process died');
        return setup.ctx.certificates.deleteVersions(name, versions);
      },
    });
    await expect(purgeDeletedCertificate({ ...setup.ctx, certificates: crashing }, 'crashed')).rejects.toThrow('process died');
    expect((await setup.storage.certificates.listVersions('crashed', 100)).versions).toHaveLength(50);
    expect(await refusal(createCertificate(setup.ctx, 'crashed', selfBody))).toEqual(errors.certificateBeingDeleted());
    expect(await refusal(recoverDeletedCertificate(setup.ctx, 'crashed'))).toEqual(errors.certificateBeingDeleted());

    await purgeDeletedCertificate(setup.ctx, 'crashed');
    expect(await setup.storage.certificates.getHead('crashed')).toBeUndefined();
    expect(await setup.storage.certificates.listVersions('crashed', 100)).toEqual({ versions: [] });
  });
});

describe('the purge timer', () => {
  it('purges a deleted certificate once its retention has run out, not a second before', async () => {
    const clock = manualClock();
    const setup = memoryServiceContext({ clock, softDeleteRetentionDays: 7 });
    await withVersions(setup.ctx, 'expiring', 3);
    await deleteCertificate(setup.ctx, 'expiring');

    clock.advance(7 * DAY - 1);
    expect(await purgeDueCertificates(setup.ctx)).toEqual({ due: 0, purged: 0, dropped: 0, failed: 0 });
    expect((await getDeletedCertificate(setup.ctx, 'expiring')).deletion.scheduledPurgeDate).toBe(NOW + 7 * DAY);

    clock.advance(1);
    expect(await purgeDueCertificates(setup.ctx)).toEqual({ due: 1, purged: 1, dropped: 0, failed: 0 });
    expect(await setup.storage.certificates.getHead('expiring')).toBeUndefined();
    expect(await setup.storage.certificates.listVersions('expiring', 10)).toEqual({ versions: [] });
    expect(await purgeDueCertificates(setup.ctx)).toEqual({ due: 0, purged: 0, dropped: 0, failed: 0 });
  });

  it('touches only what is due: certificates deleted later, and live ones, are never read', async () => {
    const clock = manualClock();
    const setup = memoryServiceContext({ clock, softDeleteRetentionDays: 7 });
    for (const name of ['due-1', 'due-2']) {
      await withVersions(setup.ctx, name, 2);
      await deleteCertificate(setup.ctx, name);
    }
    clock.advance(DAY);
    for (let i = 0; i < 20; i++) {
      await withVersions(setup.ctx, `later-${i}`, 1);
      if (i % 2 === 0) await deleteCertificate(setup.ctx, `later-${i}`);
    }
    clock.advance(6 * DAY);
    const { ctx, calls } = counted(setup.ctx);
    expect(await purgeDueCertificates(ctx)).toEqual({ due: 2, purged: 2, dropped: 0, failed: 0 });
    expect(touchedNames(calls)).toEqual(new Set(['due-1', 'due-2']));
    expect(await getDeletedCertificate(setup.ctx, 'later-0')).toBeDefined();
  });

  it('drops entries whose certificate was recovered, or deleted again since, and leaves the certificate as it is', async () => {
    const clock = manualClock();
    const setup = memoryServiceContext({ clock, softDeleteRetentionDays: 7 });
    await withVersions(setup.ctx, 'recovered', 1);
    await withVersions(setup.ctx, 'again', 1);
    await deleteCertificate(setup.ctx, 'again');
    // Entries a crash left behind: one for a live certificate, one for an earlier deletion of a deleted one.
    await setup.ctx.purgeSchedule.schedule({ name: 'recovered', scheduledPurgeDate: NOW + 60 });
    await setup.ctx.purgeSchedule.schedule({ name: 'again', scheduledPurgeDate: NOW + 60 });
    clock.advance(120);

    expect(await purgeDueCertificates(setup.ctx)).toEqual({ due: 2, purged: 0, dropped: 2, failed: 0 });
    expect(await getLatestCertificate(setup.ctx, 'recovered')).toMatchObject({ kind: 'issued' });
    expect((await getDeletedCertificate(setup.ctx, 'again')).deletion.scheduledPurgeDate).toBe(NOW + 7 * DAY);
    expect(await setup.ctx.purgeSchedule.due(NOW + 7 * DAY, 10)).toEqual([{ name: 'again', scheduledPurgeDate: NOW + 7 * DAY }]);
  });

  it('keeps going past a purge that fails, whose entry stays due for the next run', async () => {
    const clock = manualClock();
    const setup = memoryServiceContext({ clock, softDeleteRetentionDays: 7 });
    for (const name of ['a-broken', 'b-fine']) {
      await withVersions(setup.ctx, name, 1);
      await deleteCertificate(setup.ctx, name);
    }
    clock.advance(7 * DAY);
    const failing = Object.assign(Object.create(setup.ctx.certificates) as CertificateRepository, {
      deleteVersions: async (name: string, versions: readonly string[]) => {
        if (name === 'a-broken') throw new Error('storage unavailable');
        return setup.ctx.certificates.deleteVersions(name, versions);
      },
    });
    const logged: string[] = [];
    expect(await purgeDueCertificates({ ...setup.ctx, certificates: failing }, (m) => logged.push(m))).toEqual({ due: 2, purged: 1, dropped: 0, failed: 1 });
    expect(logged).toEqual([expect.stringContaining('a-broken')]);
    expect(await purgeDueCertificates(setup.ctx)).toEqual({ due: 1, purged: 1, dropped: 0, failed: 0 });
  });
});
