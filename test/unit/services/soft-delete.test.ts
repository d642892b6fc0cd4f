import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../../../shared/api/errors';
import { KeyVaultError } from '../../../shared/api/key-vault-error';
import { getCertificatePolicy, updateCertificatePolicy } from '../../../shared/services/certificate-policy';
import { getCertificateVersion, getLatestCertificate } from '../../../shared/services/certificate-reads';
import { getCertificateSecret } from '../../../shared/services/certificate-secret';
import { listCertificateVersions } from '../../../shared/services/certificate-versions';
import { createCertificate } from '../../../shared/services/create-certificate';
import { deleteCertificate } from '../../../shared/services/delete-certificate';
import { getDeletedCertificate, recoverDeletedCertificate } from '../../../shared/services/deleted-certificates';
import { purgeDeletedCertificate } from '../../../shared/services/purge-certificates';
import { importCertificate } from '../../../shared/services/import-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { getManagedKey, signWithKey } from '../../../shared/services/key-operations';
import { mergeCertificate } from '../../../shared/services/merge-certificate';
import { getPendingOperation, requestCancellation } from '../../../shared/services/pending-operations';
import type { ServiceContext } from '../../../shared/services/service-context';
import { sweepStatuses } from '../../../shared/services/status-sweep';
import type { CertificateRepository } from '../../../shared/storage/repositories';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

type Setup = ReturnType<typeof memoryServiceContext>;

const DAY = 86_400;
const NOW = Date.UTC(2026, 0, 1) / 1000;
const pfx = { value: readFileSync(join(__dirname, '../../fixtures/import/rsa-aes.pfx')).toString('base64'), pwd: 's3cret' };
const selfBody = { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=soft-delete' }, issuer: { name: 'Self' } } };
const manualBody = { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=manual' }, issuer: { name: 'Unknown' } } };

async function issue(setup: Setup, name: string): Promise<string> {
  const op = await createCertificate(setup.ctx, name, selfBody);
  for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
  return op.version;
}

async function refusal(promise: Promise<unknown>): Promise<KeyVaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KeyVaultError)) throw new Error(`expected a KeyVaultError, got ${String(error)}`);
  return error;
}

/** The certificate repository with some methods replaced, the rest as they are. */
function withCertificates(ctx: ServiceContext, override: Partial<CertificateRepository>): ServiceContext {
  return { ...ctx, certificates: Object.assign(Object.create(ctx.certificates) as CertificateRepository, override) };
}

describe('DELETE /certificates/{name}', () => {
  it('soft-deletes: answers the certificate as it was, deleted now and purged after the retention period', async () => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'Web');
    const deleted = await deleteCertificate(setup.ctx, 'web');
    expect(deleted.deletion).toEqual({ deletedDate: NOW, scheduledPurgeDate: NOW + 90 * DAY });
    expect(deleted.certificate).toMatchObject({ kind: 'issued', version: { name: 'Web', version }, pendingVisible: false });
    if (deleted.certificate.kind === 'issued') expect(deleted.certificate.policy?.subject).toBe('CN=soft-delete');
    // The purge is scheduled under the name as created, at its date.
    expect(await setup.storage.purgeSchedule.due(NOW + 90 * DAY, 10)).toEqual([{ name: 'Web', scheduledPurgeDate: NOW + 90 * DAY }]);
    expect(await setup.storage.purgeSchedule.due(NOW + 90 * DAY - 1, 10)).toEqual([]);
  });

  it('follows the retention setting', async () => {
    const setup = memoryServiceContext({ softDeleteRetentionDays: 7 });
    await issue(setup, 'short');
    expect((await deleteCertificate(setup.ctx, 'short')).deletion.scheduledPurgeDate).toBe(NOW + 7 * DAY);
  });

  it('answers 404 CertificateNotFound for a name with nothing, and for one already deleted', async () => {
    const setup = memoryServiceContext();
    expect(await refusal(deleteCertificate(setup.ctx, 'nothing'))).toEqual(errors.certificateNotFound('nothing'));
    await issue(setup, 'once');
    await deleteCertificate(setup.ctx, 'once');
    expect(await refusal(deleteCertificate(setup.ctx, 'once'))).toEqual(errors.certificateNotFound('once'));
  });

  it('makes every live read answer as if the certificate did not exist', async () => {
    const setup = memoryServiceContext();
    const { ctx } = setup;
    const version = await issue(setup, 'gone');
    await deleteCertificate(ctx, 'gone');

    expect(await refusal(getLatestCertificate(ctx, 'gone'))).toEqual(errors.certificateNotFound('gone'));
    expect(await refusal(getCertificateVersion(ctx, 'gone', version))).toEqual(errors.certificateVersionNotFound('gone', version));
    expect(await refusal(getCertificatePolicy(ctx, 'gone'))).toEqual(errors.certificateNotFound('gone'));
    expect(await refusal(updateCertificatePolicy(ctx, 'gone', { x509_props: { subject: 'CN=x' } }))).toEqual(errors.certificateNotFound('gone'));
    expect(await refusal(getPendingOperation(ctx, 'gone'))).toEqual(errors.pendingNotFound('gone'));
    expect(await refusal(getCertificateSecret(ctx, 'gone', undefined, undefined))).toEqual(errors.secretNotFound('gone'));
    expect(await refusal(getCertificateSecret(ctx, 'gone', version, undefined))).toEqual(errors.secretNotFound('gone', version));
    expect(await refusal(getManagedKey(ctx, 'gone', undefined))).toEqual(errors.keyNotFound('gone'));
    expect(await refusal(getManagedKey(ctx, 'gone', version))).toEqual(errors.keyNotFound('gone', version));
    expect(await refusal(signWithKey(ctx, 'gone', version, 'ES256', Buffer.alloc(32)))).toEqual(errors.keyNotFound('gone', version));
    expect(await listCertificateVersions(ctx, 'gone', 25)).toEqual({ items: [] });
  });

  it('refuses create and import of a deleted name with 409 ObjectIsDeletedButRecoverable', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'Taken');
    await deleteCertificate(setup.ctx, 'taken');
    const expected = errors.certificateDeletedButRecoverable('TAKEN');
    expect(await refusal(createCertificate(setup.ctx, 'TAKEN', selfBody))).toEqual(expected);
    expect(await refusal(importCertificate(setup.ctx, 'TAKEN', pfx))).toEqual(expected);
    expect(expected).toMatchObject({ status: 409, code: 'Conflict', innerCode: 'ObjectIsDeletedButRecoverable' });
  });

  it('makes a create that read the name before the delete lose its write, and say the name is deleted', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'racing');
    const before = await setup.ctx.certificates.getOperationAndHead('racing');
    await deleteCertificate(setup.ctx, 'racing');
    // The create saw the name as it was before the delete; its conditional write is what loses.
    let stale = true;
    const ctx = withCertificates(setup.ctx, {
      getOperationAndHead: async (name) => {
        if (!stale) return setup.ctx.certificates.getOperationAndHead(name);
        stale = false;
        return before;
      },
    });
    expect(await refusal(createCertificate(ctx, 'racing', selfBody))).toEqual(errors.certificateDeletedButRecoverable('racing'));
    expect(await refusal(getLatestCertificate(setup.ctx, 'racing'))).toMatchObject({ status: 404 });
  });

  it('deletes a certificate whose only version is still being requested, and stops the request', async () => {
    const setup = memoryServiceContext();
    const op = await createCertificate(setup.ctx, 'First', selfBody);
    const deleted = await deleteCertificate(setup.ctx, 'first');
    expect(deleted.certificate).toMatchObject({ kind: 'pending', operation: { version: op.version, deleted: true } });
    expect(await getDeletedCertificate(setup.ctx, 'FIRST')).toEqual(deleted);
    expect(await refusal(getLatestCertificate(setup.ctx, 'first'))).toEqual(errors.certificateNotFound('first'));
    // The job queued by the create, and the sweep, leave it alone.
    for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('dropped');
    (setup.ctx.clock as ReturnType<typeof manualClock>).advance(120);
    await sweepStatuses(setup.ctx);
    expect(await setup.takeJobs()).toEqual([]);
    expect(await setup.storage.certificates.listVersions('first', 10)).toEqual({ versions: [] });
  });

  it('ends a manual request too: no merge or cancel of a deleted certificate', async () => {
    const setup = memoryServiceContext();
    await createCertificate(setup.ctx, 'manual', manualBody);
    await deleteCertificate(setup.ctx, 'manual');
    expect(await refusal(mergeCertificate(setup.ctx, 'manual', { x5c: ['AA=='] }))).toEqual(errors.pendingNotFound('manual'));
    expect(await refusal(requestCancellation(setup.ctx, 'manual'))).toEqual(errors.pendingNotFound('manual'));
  });
});

describe('GET /deletedcertificates/{name}', () => {
  it('answers what the delete answered, until the certificate is recovered', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'kept');
    const deleted = await deleteCertificate(setup.ctx, 'kept');
    (setup.ctx.clock as ReturnType<typeof manualClock>).advance(3600);
    expect(await getDeletedCertificate(setup.ctx, 'KEPT')).toEqual(deleted);
    await recoverDeletedCertificate(setup.ctx, 'kept');
    expect(await refusal(getDeletedCertificate(setup.ctx, 'kept'))).toEqual(errors.deletedCertificateNotFound('kept'));
  });

  it('answers 404 "Deleted Certificate not found" for a live certificate and for a name with nothing', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'live');
    expect(await refusal(getDeletedCertificate(setup.ctx, 'live'))).toEqual(errors.deletedCertificateNotFound('live'));
    expect(await refusal(getDeletedCertificate(setup.ctx, 'none'))).toEqual(errors.deletedCertificateNotFound('none'));
    expect(errors.deletedCertificateNotFound('none')).toMatchObject({ status: 404, code: 'CertificateNotFound', message: 'Deleted Certificate not found: none' });
  });
});

describe('POST /deletedcertificates/{name}/recover', () => {
  it('brings the certificate back as it was: reads, secret, key, policy, and its purge is unscheduled', async () => {
    const setup = memoryServiceContext();
    const { ctx } = setup;
    const version = await issue(setup, 'Back');
    const before = await getLatestCertificate(ctx, 'back');
    await deleteCertificate(ctx, 'back');
    const recovered = await recoverDeletedCertificate(ctx, 'BACK');

    expect(recovered).toEqual({ ...before, pendingVisible: false });
    expect(await getLatestCertificate(ctx, 'back')).toEqual(recovered);
    expect((await getCertificateVersion(ctx, 'back', version)).kind).toBe('issued');
    expect((await getCertificateSecret(ctx, 'back', version, undefined)).value.length).toBeGreaterThan(0);
    expect((await getManagedKey(ctx, 'back', undefined)).version.version).toBe(version);
    expect((await getCertificatePolicy(ctx, 'back')).policy.subject).toBe('CN=soft-delete');
    expect((await listCertificateVersions(ctx, 'back', 25)).items).toHaveLength(1);
    expect(await setup.storage.purgeSchedule.due(NOW + 365 * DAY, 10)).toEqual([]);
    // And it can take new versions again.
    const next = await issue(setup, 'back');
    expect(await getLatestCertificate(ctx, 'back')).toMatchObject({ kind: 'issued', version: { version: next } });
    expect((await listCertificateVersions(ctx, 'back', 25)).items).toHaveLength(2);
  });

  it('recovers a certificate deleted before its first version was issued, as that version', async () => {
    const setup = memoryServiceContext();
    const op = await createCertificate(setup.ctx, 'early', manualBody);
    await deleteCertificate(setup.ctx, 'early');
    const recovered = await recoverDeletedCertificate(setup.ctx, 'early');
    expect(recovered).toMatchObject({ kind: 'pending', operation: { version: op.version } });
    expect(await getLatestCertificate(setup.ctx, 'early')).toEqual(recovered);
    // The name takes a new create again.
    await createCertificate(setup.ctx, 'early', selfBody);
  });

  it('answers 404 for a name that is not deleted, and 409 ObjectIsBeingDeleted while a purge runs', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'live');
    expect(await refusal(recoverDeletedCertificate(setup.ctx, 'live'))).toEqual(errors.deletedCertificateNotFound('live'));
    await deleteCertificate(setup.ctx, 'live');
    const head = await setup.ctx.certificates.getStoredHead('live');
    const operation = await setup.ctx.certificates.getOperation('live');
    if (!head?.value.deletion || !operation) throw new Error('not deleted');
    await setup.ctx.certificates.replaceOperationAndWriteHead(operation, { ...head.value, deletion: { ...head.value.deletion, purging: true } }, head.etag);
    expect(await refusal(recoverDeletedCertificate(setup.ctx, 'live'))).toEqual(errors.certificateBeingDeleted());
    expect(await refusal(createCertificate(setup.ctx, 'live', selfBody))).toEqual(errors.certificateBeingDeleted());
    expect(errors.certificateBeingDeleted()).toMatchObject({ status: 409, code: 'Conflict', innerCode: 'ObjectIsBeingDeleted', message: 'Certificate is currently being deleted.' });
  });
});

describe('DELETION_MIN_SECONDS: a deletion that takes a moment, as on Key Vault', () => {
  it('is not found as deleted, and refuses recover and purge as being deleted, until the time has passed', async () => {
    const clock = manualClock();
    const setup = memoryServiceContext({ clock, deletionMinSeconds: 3 });
    await issue(setup, 'slow');
    await deleteCertificate(setup.ctx, 'slow');

    // Gone from the live routes at once, not yet shown as deleted.
    expect(await refusal(getLatestCertificate(setup.ctx, 'slow'))).toEqual(errors.certificateNotFound('slow'));
    expect(await refusal(getDeletedCertificate(setup.ctx, 'slow'))).toEqual(errors.deletedCertificateNotFound('slow'));
    expect(await refusal(recoverDeletedCertificate(setup.ctx, 'slow'))).toEqual(errors.certificateBeingDeleted());
    expect(await refusal(purgeDeletedCertificate(setup.ctx, 'slow'))).toEqual(errors.certificateBeingDeleted());

    clock.advance(2);
    expect(await refusal(getDeletedCertificate(setup.ctx, 'slow'))).toEqual(errors.deletedCertificateNotFound('slow'));
    clock.advance(1);
    expect((await getDeletedCertificate(setup.ctx, 'slow')).deletion.deletedDate).toBe(NOW);
    expect(await recoverDeletedCertificate(setup.ctx, 'slow')).toMatchObject({ kind: 'issued' });
  });

  it('lets a purge through once the deletion has shown', async () => {
    const clock = manualClock();
    const setup = memoryServiceContext({ clock, deletionMinSeconds: 3 });
    await issue(setup, 'purged-later');
    await deleteCertificate(setup.ctx, 'purged-later');
    clock.advance(3);
    await purgeDeletedCertificate(setup.ctx, 'purged-later');
    expect(await refusal(getDeletedCertificate(setup.ctx, 'purged-later'))).toEqual(errors.deletedCertificateNotFound('purged-later'));
  });
});
