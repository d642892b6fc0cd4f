import { createCertificate } from '../../../shared/services/create-certificate';
import { deleteCertificate } from '../../../shared/services/delete-certificate';
import { updateCertificateProperties } from '../../../shared/services/certificate-properties';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { listCertificates } from '../../../shared/services/list-certificates';
import { RECONCILE_GRACE_SECONDS, changeListedCertificate } from '../../../shared/services/listing-reconciliation';
import type { ServiceContext } from '../../../shared/services/service-context';
import { sweepStatuses } from '../../../shared/services/status-sweep';
import type { CertificateListName } from '../../../shared/domain/certificate-listing';
import type { CertificateListingRepository, CertificateRepository } from '../../../shared/storage/repositories';
import { WriteConflictError } from '../../../shared/storage/storage-errors';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

/**
 * docs/storage-design.md, rule 4: a change that commits its batch and then stops before its list row is
 * refreshed (a crash, a storage error) leaves a reconcile entry, and the status sweep refreshes the row once
 * the grace period is over. The crash is simulated by a list index whose next write throws.
 */

const selfBody = (cn: string) => ({ policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: `CN=${cn}` }, issuer: { name: 'Self' } } });
const DAY = 86_400;

function setUp() {
  const clock = manualClock();
  const setup = memoryServiceContext({ clock });
  return { ...setup, clock };
}

/** What `GET /certificates` (or `/deletedcertificates`), with pending-only ones, lists: names. */
async function listed(ctx: ServiceContext, list: CertificateListName): Promise<string[]> {
  return (await listCertificates(ctx, list, { limit: 25, includePending: true })).listings.map((l) => l.name);
}

/** Every reconcile entry, due or not. */
async function entries(ctx: ServiceContext) {
  return ctx.reconcileSchedule.due(Math.floor(ctx.clock().getTime() / 1000) + 365 * DAY, 100);
}

/** The index, with its next write (put or remove) failing as a crash or an unreachable table would fail it. */
function failingOnce(listings: CertificateListingRepository): CertificateListingRepository {
  let failed = false;
  const failFirst = <A extends unknown[]>(write: (...args: A) => Promise<void>) => async (...args: A) => {
    if (!failed) {
      failed = true;
      throw new Error('storage unavailable (503)');
    }
    return write(...args);
  };
  return {
    find: (name) => listings.find(name),
    page: (list, options) => listings.page(list, options),
    put: failFirst((listing, etag) => listings.put(listing, etag)),
    remove: failFirst((listing) => listings.remove(listing)),
  };
}

async function issued(setup: ReturnType<typeof setUp>, name: string): Promise<void> {
  await createCertificate(setup.ctx, name, selfBody(name));
  for (const job of await setup.takeJobs()) await runIssuerJob(setup.ctx, job);
}

describe('reconcile entries: a list row left stale by a change that stopped after its batch is refreshed by the sweep', () => {
  it('leaves no entry behind a change that finished', async () => {
    const setup = setUp();
    await issued(setup, 'done');
    await updateCertificateProperties(setup.ctx, 'done', undefined, { tags: { team: 'a' } });
    await deleteCertificate(setup.ctx, 'done');
    expect(await entries(setup.ctx)).toEqual([]);
  });

  it('a delete that fails after its batch committed: still listed as live, until the sweep after the grace period moves it to the deleted list', async () => {
    const setup = setUp();
    await issued(setup, 'Crashed');
    const ctx = { ...setup.ctx, listings: failingOnce(setup.ctx.listings) };

    await expect(deleteCertificate(ctx, 'crashed')).rejects.toThrow('storage unavailable');
    // The deletion committed (the head says so), but the list row was not moved.
    expect((await setup.ctx.certificates.getHead('crashed'))?.deletion).toBeDefined();
    expect(await listed(setup.ctx, 'live')).toEqual(['Crashed']);
    expect(await listed(setup.ctx, 'deleted')).toEqual([]);

    // Not before the grace period: a change still in flight refreshes its own row.
    setup.clock.advance(RECONCILE_GRACE_SECONDS - 1);
    expect(await sweepStatuses(setup.ctx)).toMatchObject({ reconciled: 0 });
    expect(await listed(setup.ctx, 'live')).toEqual(['Crashed']);

    setup.clock.advance(1);
    expect(await sweepStatuses(setup.ctx)).toMatchObject({ reconciled: 1, reconcileFailed: 0 });
    expect(await listed(setup.ctx, 'live')).toEqual([]);
    expect(await listed(setup.ctx, 'deleted')).toEqual(['Crashed']);
    expect(await entries(setup.ctx)).toEqual([]);
  });

  it('a create that fails after its operation was written: missing from the list until the sweep adds it', async () => {
    const setup = setUp();
    const ctx = { ...setup.ctx, listings: failingOnce(setup.ctx.listings) };

    await expect(createCertificate(ctx, 'new-one', selfBody('new-one'))).rejects.toThrow('storage unavailable');
    expect(await setup.ctx.certificates.getOperation('new-one')).toBeDefined();
    expect(await listed(setup.ctx, 'live')).toEqual([]);

    setup.clock.advance(RECONCILE_GRACE_SECONDS);
    expect(await sweepStatuses(setup.ctx)).toMatchObject({ reconciled: 1 });
    expect(await listed(setup.ctx, 'live')).toEqual(['new-one']);
  });

  it('an attribute update that fails after its batch: the list shows the old tags until the sweep', async () => {
    const setup = setUp();
    await issued(setup, 'tagged');
    const ctx = { ...setup.ctx, listings: failingOnce(setup.ctx.listings) };

    await expect(updateCertificateProperties(ctx, 'tagged', undefined, { tags: { team: 'b' } })).rejects.toThrow('storage unavailable');
    const tags = async () => (await listCertificates(setup.ctx, 'live', { limit: 25, includePending: false })).listings[0]?.tags;
    expect(await tags()).toEqual({});

    setup.clock.advance(RECONCILE_GRACE_SECONDS);
    await sweepStatuses(setup.ctx);
    expect(await tags()).toEqual({ team: 'b' });
  });

  it('an entry for a change that never committed is dropped, the list untouched', async () => {
    const setup = setUp();
    await issued(setup, 'intact');
    const rowBefore = await setup.ctx.listings.find('intact');
    // The batch itself fails with an error that does not say whether it committed (here: it did not).
    const certificates: CertificateRepository = Object.create(setup.ctx.certificates, {
      replaceOperationAndWriteHead: { value: () => Promise.reject(new Error('storage unavailable (503)')) },
    });
    await expect(deleteCertificate({ ...setup.ctx, certificates }, 'intact')).rejects.toThrow('storage unavailable');
    expect(await entries(setup.ctx)).toHaveLength(1);

    setup.clock.advance(RECONCILE_GRACE_SECONDS);
    expect(await sweepStatuses(setup.ctx)).toMatchObject({ reconciled: 1 });
    expect(await setup.ctx.listings.find('intact')).toEqual(rowBefore);
    expect(await entries(setup.ctx)).toEqual([]);
  });

  it('a change that lost its conditional write committed nothing: its entry goes at once', async () => {
    const setup = setUp();
    const lost = changeListedCertificate(setup.ctx, 'raced', () => Promise.reject(new WriteConflictError('another request changed it first')));
    await expect(lost).rejects.toBeInstanceOf(WriteConflictError);
    expect(await entries(setup.ctx)).toEqual([]);
  });

  it('keeps an entry whose refresh fails due for the next run, and goes on with the others', async () => {
    const setup = setUp();
    const ctx = { ...setup.ctx, listings: failingOnce(setup.ctx.listings) };
    await expect(createCertificate(ctx, 'first', selfBody('first'))).rejects.toThrow('storage unavailable');
    const second = { ...setup.ctx, listings: failingOnce(setup.ctx.listings) };
    await expect(createCertificate(second, 'second', selfBody('second'))).rejects.toThrow('storage unavailable');

    setup.clock.advance(RECONCILE_GRACE_SECONDS);
    // The first entry's refresh fails once more (the sweep runs on the flaky index); the second goes through.
    const sweepCtx = { ...setup.ctx, listings: failingOnce(setup.ctx.listings) };
    expect(await sweepStatuses(sweepCtx)).toMatchObject({ reconciled: 1, reconcileFailed: 1 });
    expect(await entries(setup.ctx)).toHaveLength(1);
    expect(await sweepStatuses(setup.ctx)).toMatchObject({ reconciled: 1, reconcileFailed: 0 });
    expect((await listed(setup.ctx, 'live')).sort()).toEqual(['first', 'second']);
  });
});
