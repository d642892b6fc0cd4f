import { errors } from '../../../shared/api/errors';
import { withoutKey } from '../../../shared/domain/certificate-version';
import { refreshListing } from '../../../shared/services/certificate-listing';
import { updateCertificateProperties } from '../../../shared/services/certificate-properties';
import { getCertificateVersion, getLatestCertificate } from '../../../shared/services/certificate-reads';
import { getCertificateSecret } from '../../../shared/services/certificate-secret';
import { createCertificate } from '../../../shared/services/create-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { getManagedKey, signWithKey } from '../../../shared/services/key-operations';
import type { ServiceContext } from '../../../shared/services/service-context';
import type { CertificateRepository } from '../../../shared/storage/repositories';
import { WriteConflictError } from '../../../shared/storage/storage-errors';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

// The lists slice owns refreshListing; here it only matters that every committed update calls it.
jest.mock('../../../shared/services/certificate-listing');

type Setup = ReturnType<typeof memoryServiceContext>;

const selfBody = (cn: string, tags?: Record<string, string>) => ({
  // EC: nothing here is about the key type, and an RSA key costs a tenth of a second or more to make.
  policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: `CN=${cn}` }, issuer: { name: 'Self' } },
  ...(tags ? { tags } : {}),
});

async function runJobs(setup: Setup): Promise<void> {
  for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
}

async function issue(setup: Setup, name: string, cn: string, tags?: Record<string, string>): Promise<string> {
  const op = await createCertificate(setup.ctx, name, selfBody(cn, tags));
  await runJobs(setup);
  return op.version;
}

async function issuedView(ctx: ServiceContext, name: string, version: string) {
  const view = await getCertificateVersion(ctx, name, version);
  if (view.kind !== 'issued') throw new Error(`${name}/${version} is not issued`);
  return view.version;
}

/** The certificate repository with some methods replaced, the rest as they are. */
function withCertificates(ctx: ServiceContext, override: Partial<CertificateRepository>): ServiceContext {
  const certificates = Object.assign(Object.create(ctx.certificates) as CertificateRepository, override);
  return { ...ctx, certificates };
}

beforeEach(() => jest.mocked(refreshListing).mockClear());

describe('PATCH /certificates/{name}/{version?}: attributes and tags', () => {
  it('answers 404 in the words of GET for a name or version that does not exist, writing nothing', async () => {
    const setup = memoryServiceContext();
    await expect(updateCertificateProperties(setup.ctx, 'nothing', undefined, { enabled: false })).rejects.toEqual(errors.certificateNotFound('nothing'));
    await expect(updateCertificateProperties(setup.ctx, 'nothing', 'abc', { enabled: false })).rejects.toEqual(
      errors.certificateVersionNotFound('nothing', 'abc'),
    );
    await issue(setup, 'exists', 'exists');
    jest.mocked(refreshListing).mockClear(); // issuing lists the certificate; only the update's calls count here
    const missing = '0'.repeat(32);
    await expect(updateCertificateProperties(setup.ctx, 'exists', missing, { tags: {} })).rejects.toEqual(
      errors.certificateVersionNotFound('exists', missing),
    );
    expect(refreshListing).not.toHaveBeenCalled();
  });

  it('disables the latest version and replaces its tags: GET latest and GET by version show it, created stays, updated moves', async () => {
    const clock = manualClock();
    const setup = memoryServiceContext({ clock });
    const version = await issue(setup, 'Web', 'web', { team: 'a' });
    const before = await issuedView(setup.ctx, 'web', version);
    clock.advance(90);

    const view = await updateCertificateProperties(setup.ctx, 'WEB', undefined, { enabled: false, tags: { team: 'b', env: 'prod' } });
    expect(view.kind).toBe('issued');
    if (view.kind !== 'issued') return;
    expect(view.version).toMatchObject({ name: 'Web', version, enabled: false, tags: { team: 'b', env: 'prod' }, created: before.created });
    expect(view.version.updated).toBe(before.updated + 90);
    // The latest, as GET /certificates/{name}/ answers it: with the certificate's policy.
    expect(view.policy?.subject).toBe('CN=web');

    const latest = await getLatestCertificate(setup.ctx, 'web');
    expect(latest).toMatchObject({ kind: 'issued', version: view.version });
    expect(await issuedView(setup.ctx, 'web', version)).toEqual(view.version);
    // The head's copy and the version row never disagree.
    const head = await setup.storage.certificates.getHead('web');
    const row = await setup.storage.certificates.getVersion('web', version);
    expect(head?.latest).toEqual(row && withoutKey(row));
    // Validity is the certificate's and does not move.
    expect([view.version.notBefore, view.version.expires]).toEqual([before.notBefore, before.expires]);
    // Without the state it wrote (the third argument): the refresh reads the head afresh.
    expect(refreshListing).toHaveBeenCalledWith(setup.ctx, 'Web', undefined);
  });

  it('changes an older version by id without touching the latest, and answers it without the policy, as GET by version does', async () => {
    const setup = memoryServiceContext();
    const first = await issue(setup, 'rotated', 'first', { gen: '1' });
    const second = await issue(setup, 'rotated', 'second', { gen: '2' });
    const latestBefore = await getLatestCertificate(setup.ctx, 'rotated');

    const view = await updateCertificateProperties(setup.ctx, 'rotated', first.toUpperCase(), { enabled: false });
    expect(view).toMatchObject({ kind: 'issued', version: { version: first, enabled: false, tags: { gen: '1' } } });
    expect(view).not.toHaveProperty('policy');
    expect(await getLatestCertificate(setup.ctx, 'rotated')).toEqual(latestBefore);
    expect((await issuedView(setup.ctx, 'rotated', second)).enabled).toBe(true);
    expect((await issuedView(setup.ctx, 'rotated', first)).enabled).toBe(false);
  });

  it('keeps the tags when none are given, removes them all for {}, and re-enables', async () => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'tagged', 'tagged', { keep: 'me' });
    await updateCertificateProperties(setup.ctx, 'tagged', version, { enabled: false });
    expect(await issuedView(setup.ctx, 'tagged', version)).toMatchObject({ enabled: false, tags: { keep: 'me' } });
    await updateCertificateProperties(setup.ctx, 'tagged', version, { enabled: true, tags: {} });
    expect(await issuedView(setup.ctx, 'tagged', version)).toMatchObject({ enabled: true, tags: {} });
  });

  it('takes tags and enabled on a version still being requested: shown at once (still disabled), carried into the issued version', async () => {
    const setup = memoryServiceContext();
    const op = await createCertificate(setup.ctx, 'early', selfBody('early'));
    jest.mocked(refreshListing).mockClear(); // the create lists it; only the updates' calls count here

    const view = await updateCertificateProperties(setup.ctx, 'early', undefined, { tags: { customTag: 'value' }, enabled: false });
    expect(view).toMatchObject({ kind: 'pending', operation: { version: op.version, tags: { customTag: 'value' }, enabled: false } });
    expect(await getLatestCertificate(setup.ctx, 'early')).toMatchObject({ kind: 'pending', operation: { tags: { customTag: 'value' } } });
    // By version id too.
    await updateCertificateProperties(setup.ctx, 'early', op.version, { tags: { customTag: 'again' } });

    expect(refreshListing).toHaveBeenCalledTimes(2);
    await runJobs(setup);
    expect(await issuedView(setup.ctx, 'early', op.version)).toMatchObject({ enabled: false, tags: { customTag: 'again' } });
  });

  it('answers 404 for a certificate that is soft-deleted', async () => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'gone', 'gone');
    const { certificates } = setup.storage;
    const [op, head] = await Promise.all([certificates.getOperation('gone'), certificates.getStoredHead('gone')]);
    if (!op || !head) throw new Error('the certificate was not issued');
    await certificates.replaceOperationAndHead(op, { ...head, value: { ...head.value, deletion: { deletedDate: 1, scheduledPurgeDate: 2 } } });
    await expect(updateCertificateProperties(setup.ctx, 'gone', undefined, { enabled: false })).rejects.toEqual(errors.certificateNotFound('gone'));
    await expect(updateCertificateProperties(setup.ctx, 'gone', version, { enabled: false })).rejects.toEqual(
      errors.certificateVersionNotFound('gone', version),
    );
  });

  it('is not lost, and leaves no stale head, when the next version is issued between its read and its write', async () => {
    const setup = memoryServiceContext();
    const first = await issue(setup, 'raced', 'first');
    await createCertificate(setup.ctx, 'raced', selfBody('second'));
    let issuedMeanwhile = false;
    const racing = withCertificates(setup.ctx, {
      async replaceVersion(version, operation, head) {
        if (!issuedMeanwhile) {
          issuedMeanwhile = true;
          await runJobs(setup);
        }
        return setup.ctx.certificates.replaceVersion(version, operation, head);
      },
    });

    // It read `first` as the latest; the completion moved the operation, so it retries on fresh state.
    const view = await updateCertificateProperties(racing, 'raced', first, { tags: { after: 'race' } });
    expect(view).toMatchObject({ kind: 'issued', version: { version: first, tags: { after: 'race' } } });
    const head = await setup.storage.certificates.getHead('raced');
    expect(head?.latestVersion).not.toBe(first);
    const latestRow = await setup.storage.certificates.getVersion('raced', head?.latestVersion ?? '');
    expect(head?.latest).toEqual(latestRow && withoutKey(latestRow));
    expect((await issuedView(setup.ctx, 'raced', first)).tags).toEqual({ after: 'race' });
  });

  it('answers 409 when it loses every retry', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'contended', 'c');
    jest.mocked(refreshListing).mockClear();
    const losing = withCertificates(setup.ctx, {
      async replaceVersion() {
        throw new WriteConflictError('certificate contended: another request changed it first');
      },
    });
    await expect(updateCertificateProperties(losing, 'contended', undefined, { enabled: false })).rejects.toEqual(errors.concurrentUpdate());
    expect(refreshListing).not.toHaveBeenCalled();
  });
});

describe('a disabled version', () => {
  it("refuses its secret (403 SecretDisabled) and its key's operations (403 KeyDisabled) but still shows its public key; enabled again, both work", async () => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'off', 'off');
    await updateCertificateProperties(setup.ctx, 'off', undefined, { enabled: false });

    await expect(getCertificateSecret(setup.ctx, 'off', undefined, undefined)).rejects.toEqual(errors.secretDisabled());
    await expect(getCertificateSecret(setup.ctx, 'off', version, 'application/x-pem-file')).rejects.toEqual(errors.secretDisabled());
    const digest = Buffer.alloc(32, 7);
    await expect(signWithKey(setup.ctx, 'off', version, 'ES256', digest)).rejects.toEqual(errors.keyDisabled('sign'));
    expect((await getManagedKey(setup.ctx, 'off', version)).jwk.kty).toBe('EC');

    await updateCertificateProperties(setup.ctx, 'off', version, { enabled: true });
    expect((await getCertificateSecret(setup.ctx, 'off', version, undefined)).value).not.toBe('');
    expect((await signWithKey(setup.ctx, 'off', version, 'ES256', digest)).value).toHaveLength(64);
  });
});
