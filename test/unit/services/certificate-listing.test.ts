import type { CertificateListing } from '../../../shared/domain/certificate-listing';
import { completed } from '../../../shared/domain/pending-operation';
import { refreshListing } from '../../../shared/services/certificate-listing';
import { getLatestCertificate } from '../../../shared/services/certificate-reads';
import { createCertificate } from '../../../shared/services/create-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { listCertificates } from '../../../shared/services/list-certificates';
import { deletePendingOperation, requestCancellation } from '../../../shared/services/pending-operations';
import type { ServiceContext } from '../../../shared/services/service-context';
import type { CertificateListingRepository } from '../../../shared/storage/repositories';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

type Setup = ReturnType<typeof memoryServiceContext>;

const selfBody = (cn: string, tags: Record<string, string> = {}) => ({
  policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: `CN=${cn}` }, issuer: { name: 'Self' } },
  tags,
});
const manualBody = (cn: string) => ({ policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: `CN=${cn}` }, issuer: { name: 'Unknown' } } });

async function runJobs(setup: Setup): Promise<void> {
  for (const job of await setup.takeJobs()) await runIssuerJob(setup.ctx, job);
}

/** Where the name is listed: `<list>/<c|p>` for each row the index holds for it. */
async function placesOf(ctx: ServiceContext, name: string): Promise<string[]> {
  return (await ctx.listings.find(name)).map(({ value }) => `${value.deletion ? 'deleted' : 'live'}/${value.issued ? 'c' : 'p'}`).sort();
}

async function rowOf(ctx: ServiceContext, name: string): Promise<CertificateListing> {
  const rows = await ctx.listings.find(name);
  expect(rows).toHaveLength(1);
  return (rows[0] as { value: CertificateListing }).value;
}

describe('refreshListing: the lists follow every change of a certificate', () => {
  it('lists a created certificate as pending-only until it is issued, then as issued with its thumbprint, attributes and tags', async () => {
    const setup = memoryServiceContext();
    const op = await createCertificate(setup.ctx, 'Web-Site', selfBody('web', { team: 'a' }));
    expect(await placesOf(setup.ctx, 'web-site')).toEqual(['live/p']);
    const pending = await rowOf(setup.ctx, 'web-site');
    expect(pending).toMatchObject({ name: 'Web-Site', issued: false, version: op.version, enabled: false, tags: { team: 'a' } });
    expect(pending.x5t).toBeUndefined();

    await runJobs(setup);
    const view = await getLatestCertificate(setup.ctx, 'web-site');
    if (view.kind !== 'issued') throw new Error('not issued');
    const issued = await rowOf(setup.ctx, 'web-site');
    expect(issued).toEqual({
      name: 'Web-Site',
      issued: true,
      version: view.version.version,
      x5t: view.version.x5t,
      enabled: true,
      notBefore: view.version.notBefore,
      expires: view.version.expires,
      created: view.version.created,
      updated: view.version.updated,
      tags: { team: 'a' },
    });
  });

  it('keeps an issued certificate listed as its latest issued version while a new version is requested', async () => {
    const setup = memoryServiceContext();
    await createCertificate(setup.ctx, 'renewed', selfBody('renewed'));
    await runJobs(setup);
    const before = await rowOf(setup.ctx, 'renewed');
    await createCertificate(setup.ctx, 'renewed', manualBody('renewed'));
    expect(await rowOf(setup.ctx, 'renewed')).toEqual(before);
  });

  it('keeps a pending-only certificate listed after its request is cancelled or its operation deleted, as GET still serves it', async () => {
    const clock = manualClock();
    const setup = memoryServiceContext({ clock });
    await createCertificate(setup.ctx, 'manual', manualBody('manual'));
    clock.advance(30); // the cancellation moves `updated`, which the list shows
    const cancelledOp = await requestCancellation(setup.ctx, 'manual');
    expect(await rowOf(setup.ctx, 'manual')).toMatchObject({ issued: false, updated: cancelledOp.updated });
    await deletePendingOperation(setup.ctx, 'manual');
    expect(await placesOf(setup.ctx, 'manual')).toEqual(['live/p']);
  });

  it('moves a soft-deleted certificate to the deleted list with its dates, and back when the deletion is gone', async () => {
    const setup = memoryServiceContext();
    await createCertificate(setup.ctx, 'removed', selfBody('removed'));
    await runJobs(setup);
    const stored = await setup.ctx.certificates.getStoredHead('removed');
    const operation = await setup.ctx.certificates.getOperation('removed');
    if (!stored || !operation) throw new Error('not issued');
    const deletion = { deletedDate: 100, scheduledPurgeDate: 200 };
    await setup.ctx.certificates.replaceOperationAndHead(operation, { ...stored, value: { ...stored.value, deletion } });
    await refreshListing(setup.ctx, 'removed');
    expect(await placesOf(setup.ctx, 'removed')).toEqual(['deleted/c']);
    expect((await rowOf(setup.ctx, 'removed')).deletion).toEqual(deletion);

    const again = await setup.ctx.certificates.getStoredHead('removed');
    const op = await setup.ctx.certificates.getOperation('removed');
    if (!again || !op) throw new Error('gone');
    const { deletion: _gone, ...recovered } = again.value;
    await setup.ctx.certificates.replaceOperationAndHead(op, { ...again, value: recovered });
    await refreshListing(setup.ctx, 'removed');
    expect(await placesOf(setup.ctx, 'removed')).toEqual(['live/c']);
  });

  it('removes the listing of a name that no longer has anything, and leaves a name never listed alone', async () => {
    const { ctx } = memoryServiceContext();
    await refreshListing(ctx, 'never');
    expect(await placesOf(ctx, 'never')).toEqual([]);
    const setup = memoryServiceContext();
    await createCertificate(setup.ctx, 'purged', manualBody('purged'));
    const emptied: ServiceContext = {
      ...setup.ctx,
      certificates: Object.assign(Object.create(setup.ctx.certificates) as ServiceContext['certificates'], {
        getOperation: async () => undefined,
        getHead: async () => undefined,
        getOperationAndHead: async () => ({}),
      }),
    };
    await refreshListing(emptied, 'purged');
    expect(await placesOf(setup.ctx, 'purged')).toEqual([]);
  });

  it('of two racing refreshes, the one holding an older head cannot leave its row behind', async () => {
    // Refresh A reads the index (empty) and the head (pending-only), then, before it writes, the operation
    // completes and refresh B indexes the issued certificate. A's insert of the pending-only row succeeds
    // (no row has that key), but A must not stop there.
    const setup = memoryServiceContext();
    await createCertificate(setup.ctx, 'raced', manualBody('raced'));
    const [first] = await setup.ctx.listings.find('raced');
    if (first) await setup.ctx.listings.remove(first); // as if the create's own refresh had not run yet

    const real = setup.ctx.listings;
    let interleaved = false;
    const listings: CertificateListingRepository = Object.assign(Object.create(real) as CertificateListingRepository, {
      put: async (...args: Parameters<CertificateListingRepository['put']>) => {
        if (!interleaved) {
          interleaved = true;
          const stored = await setup.ctx.certificates.getOperation('raced');
          if (!stored) throw new Error('no operation');
          const op = stored.value;
          const version = {
            name: op.name, version: op.version, enabled: true, notBefore: 1, expires: 2, created: 3, updated: 3, tags: {},
            chain: ['bGVhZg'], x5t: 'eDV0', keySpec: op.policy.key, exportable: true, sealedPrivateKey: op.sealedPrivateKey,
            publicKeySpki: op.publicKeySpki, secretContentType: op.policy.secretContentType, policy: op.policy, preserveCertOrder: false,
          };
          await setup.ctx.certificates.completeOperation(completed(op, 3), stored.etag, version, { name: op.name, policy: op.policy, latestVersion: op.version, latest: version });
          await refreshListing(setup.ctx, 'raced');
          expect(await placesOf(setup.ctx, 'raced')).toEqual(['live/c']);
        }
        return real.put(...args);
      },
    });
    await refreshListing({ ...setup.ctx, listings }, 'raced');
    expect(interleaved).toBe(true);
    expect(await placesOf(setup.ctx, 'raced')).toEqual(['live/c']);
    expect((await rowOf(setup.ctx, 'raced')).x5t).toBe('eDV0');
  });
});

describe('refreshListing with the state its change wrote: one read fewer, never a wrong row left', () => {
  it('a change that hands over a state already outdated writes it, then the pass after it reads the head and puts the row right', async () => {
    const setup = memoryServiceContext();
    const op = await createCertificate(setup.ctx, 'outdated', selfBody('outdated'));
    await runJobs(setup);
    const issued = await rowOf(setup.ctx, 'outdated');
    // As if a slow create's refresh came after the completion, holding the pending operation it wrote.
    await refreshListing(setup.ctx, 'outdated', { operation: op });
    expect(await placesOf(setup.ctx, 'outdated')).toEqual(['live/c']);
    expect(await rowOf(setup.ctx, 'outdated')).toEqual(issued);
  });

  it('a state that finds the rows right still ends only on a head read after them', async () => {
    const setup = memoryServiceContext();
    const op = await createCertificate(setup.ctx, 'moved', manualBody('moved'));
    const reads = jest.spyOn(setup.ctx.certificates, 'getOperationAndHead');
    const stored = await setup.ctx.certificates.getOperation('moved');
    if (!stored) throw new Error('no operation');
    // The row matches the operation the caller holds, but the stored one has moved on (a cancellation).
    await setup.ctx.certificates.putOperation({ ...op, updated: op.updated + 30, cancellationRequested: true }, stored.etag);
    reads.mockClear();
    await refreshListing(setup.ctx, 'moved', { operation: op });
    expect(reads).toHaveBeenCalled();
    expect(await rowOf(setup.ctx, 'moved')).toMatchObject({ updated: op.updated + 30 });
  });

  it('a new name inserts its row without reading the index, and the pass after it removes what a crashed refresh left', async () => {
    const setup = memoryServiceContext();
    // A row a purge's refresh never removed (the purge stopped after its batch).
    await setup.ctx.listings.put({ name: 'reused', issued: true, version: 'a'.repeat(32), x5t: 'eDV0', enabled: true, notBefore: 1, expires: 2, created: 1, updated: 1, tags: {}, deletion: { deletedDate: 1, scheduledPurgeDate: 2 } }, undefined);
    const op = await createCertificate(setup.ctx, 'reused', manualBody('reused'));
    expect(await placesOf(setup.ctx, 'reused')).toEqual(['live/p']);
    expect(await rowOf(setup.ctx, 'reused')).toMatchObject({ issued: false, version: op.version });
  });

  it('a new name whose row is already there (written by a racing refresh) falls back to reading it', async () => {
    const setup = memoryServiceContext();
    const op = await createCertificate(setup.ctx, 'twice', manualBody('twice'));
    const before = await rowOf(setup.ctx, 'twice');
    await refreshListing(setup.ctx, 'twice', { operation: op, unlisted: true });
    expect(await rowOf(setup.ctx, 'twice')).toEqual(before);
  });
});

describe('listCertificates: pages of the live and deleted lists', () => {
  async function walk(ctx: ServiceContext, list: 'live' | 'deleted', limit: number, includePending: boolean): Promise<string[][]> {
    const pages: string[][] = [];
    let after: string | undefined;
    do {
      const page = await listCertificates(ctx, list, { limit, includePending, ...(after !== undefined ? { after } : {}) });
      pages.push(page.listings.map((l) => l.name));
      after = page.continueAfter;
    } while (after !== undefined);
    return pages;
  }

  it('lists issued certificates, adds pending-only ones with includePending, and keeps deleted ones apart', async () => {
    const setup = memoryServiceContext();
    for (const name of ['Beta', 'alpha', 'gamma']) await createCertificate(setup.ctx, name, selfBody(name));
    await runJobs(setup);
    for (const name of ['waiting', 'Another-Wait']) await createCertificate(setup.ctx, name, manualBody(name));
    const head = await setup.ctx.certificates.getStoredHead('gamma');
    const op = await setup.ctx.certificates.getOperation('gamma');
    if (!head || !op) throw new Error('not issued');
    await setup.ctx.certificates.replaceOperationAndHead(op, { ...head, value: { ...head.value, deletion: { deletedDate: 1, scheduledPurgeDate: 2 } } });
    await refreshListing(setup.ctx, 'gamma');

    expect(await walk(setup.ctx, 'live', 25, false)).toEqual([['alpha', 'Beta']]);
    expect(await walk(setup.ctx, 'live', 25, true)).toEqual([['alpha', 'Beta', 'Another-Wait', 'waiting']]);
    expect(await walk(setup.ctx, 'live', 2, true)).toEqual([['alpha', 'Beta'], ['Another-Wait', 'waiting']]);
    expect(await walk(setup.ctx, 'live', 3, true)).toEqual([['alpha', 'Beta', 'Another-Wait'], ['waiting']]);
    expect(await walk(setup.ctx, 'deleted', 1, true)).toEqual([['gamma']]);
  });
});
