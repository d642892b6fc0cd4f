import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/**
 * Soft delete over raw HTTP (contract §2.9, and the catalogue rows of §5.3 it owns): DELETE /certificates/{name},
 * GET /deletedcertificates/{name}, POST …/recover, DELETE /deletedcertificates/{name} (purge), with exact status, code, inner code and message, and what
 * every live route answers while a certificate is deleted. The service runs with the default retention (90 days).
 */
let service: ServiceUnderTest;
let kv: RawClient;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const DAY = 86_400;
const pfx = { value: readFileSync(join(__dirname, '../fixtures/import/rsa-aes.pfx')).toString('base64'), pwd: 's3cret' };

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
});
afterAll(() => service?.stop());

const notFound = (name: string) => ({
  error: {
    code: 'CertificateNotFound',
    message: `A certificate with (name/id) ${name} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  },
});
const deletedNotFound = (name: string) => ({ error: { code: 'CertificateNotFound', message: `Deleted Certificate not found: ${name}` } });

async function createIssued(name: string): Promise<Record<string, unknown>> {
  const created = await kv.request('POST', `/certificates/${name}/create`, {
    policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: `CN=${name}` }, issuer: { name: 'Self' } },
  });
  expect(created.status).toBe(202);
  await eventually(`${name} issued`, async () => ((await kv.request('GET', `/certificates/${name}/pending`)).body.status === 'completed' ? true : undefined));
  return (await kv.request('GET', `/certificates/${name}/`)).body;
}

describe('DELETE /certificates/{name}', () => {
  it('answers 200 with the DeletedCertificateBundle: the bundle and policy, recoveryId and both dates', async () => {
    const name = uniqueName('Deleted');
    const live = await createIssued(name);
    const before = Math.floor(Date.now() / 1000);
    const r = await kv.request('DELETE', `/certificates/${name.toLowerCase()}`);
    expect(r.status).toBe(200);
    const { recoveryId, deletedDate, scheduledPurgeDate, pending: _p, ...bundle } = r.body;
    const { pending: _livePending, ...liveBundle } = live;
    expect(bundle).toEqual(liveBundle);
    expect(recoveryId).toBe(`${service.url}/deletedcertificates/${name}`);
    expect(deletedDate).toBeGreaterThanOrEqual(before);
    expect(scheduledPurgeDate).toBe((deletedDate as number) + 90 * DAY);
    expect(r.body.attributes).toMatchObject({ recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 });
    expect(r.body).not.toHaveProperty('pending');
  });

  it('answers 404 CertificateNotFound for a name with nothing, and for one already deleted', async () => {
    const name = uniqueName('never');
    expect(await kv.request('DELETE', `/certificates/${name}`)).toMatchObject({ status: 404, body: notFound(name) });
    const deleted = uniqueName('twice');
    await createIssued(deleted);
    expect((await kv.request('DELETE', `/certificates/${deleted}`)).status).toBe(200);
    expect(await kv.request('DELETE', `/certificates/${deleted}`)).toMatchObject({ status: 404, body: notFound(deleted) });
  });

  it('deletes a certificate whose first version is still being requested', async () => {
    const name = uniqueName('manual');
    const created = await kv.request('POST', `/certificates/${name}/create`, { policy: { x509_props: { subject: 'CN=manual' }, issuer: { name: 'Unknown' } } });
    expect(created.status).toBe(202);
    const r = await kv.request('DELETE', `/certificates/${name}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: expect.stringContaining(`/certificates/${name}/`), attributes: { enabled: false }, recoveryId: `${service.url}/deletedcertificates/${name}` });
    expect(r.body).not.toHaveProperty('cer');
    expect((await kv.request('GET', `/deletedcertificates/${name}`)).body).toEqual(r.body);
  });
});

describe('a deleted certificate, seen by the live routes', () => {
  it('is not found by any read, and the versions list is empty', async () => {
    const name = uniqueName('hidden');
    const live = await createIssued(name);
    const version = String(live.id).split('/').at(-1) ?? '';
    expect((await kv.request('DELETE', `/certificates/${name}`)).status).toBe(200);

    expect(await kv.request('GET', `/certificates/${name}/`)).toMatchObject({ status: 404, body: notFound(name) });
    expect(await kv.request('GET', `/certificates/${name}/${version}`)).toMatchObject({ status: 404, body: notFound(`${name}/${version}`) });
    expect(await kv.request('GET', `/certificates/${name}/policy`)).toMatchObject({ status: 404, body: notFound(name) });
    expect(await kv.request('PATCH', `/certificates/${name}/policy`, { x509_props: { subject: 'CN=x' } })).toMatchObject({ status: 404, body: notFound(name) });
    expect(await kv.request('GET', `/certificates/${name}/pending`)).toMatchObject({
      status: 404,
      body: { error: { code: 'PendingCertificateNotFound', message: `Pending certificate not found: ${name}` } },
    });
    expect((await kv.request('GET', `/secrets/${name}/`)).body).toMatchObject({ error: { code: 'SecretNotFound' } });
    expect((await kv.request('GET', `/secrets/${name}/${version}`)).status).toBe(404);
    expect((await kv.request('GET', `/keys/${name}/`)).body).toMatchObject({ error: { code: 'KeyNotFound' } });
    expect((await kv.request('POST', `/keys/${name}/${version}/sign`, { alg: 'ES256', value: Buffer.alloc(32).toString('base64url') })).status).toBe(404);
    const versions = await kv.request('GET', `/certificates/${name}/versions`);
    expect(versions.status).toBe(200);
    expect(versions.body.value).toEqual([]);
  });

  it('refuses create and import with 409 Conflict / ObjectIsDeletedButRecoverable', async () => {
    const name = uniqueName('Reused');
    await createIssued(name);
    expect((await kv.request('DELETE', `/certificates/${name}`)).status).toBe(200);
    const conflict = {
      error: {
        code: 'Conflict',
        message: `Certificate ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.`,
        innererror: { code: 'ObjectIsDeletedButRecoverable' },
      },
    };
    expect(await kv.request('POST', `/certificates/${name}/create`, { policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=x' } } })).toMatchObject({
      status: 409,
      body: conflict,
    });
    expect(await kv.request('POST', `/certificates/${name}/import`, pfx)).toMatchObject({ status: 409, body: conflict });
  });
});

describe('GET /deletedcertificates/{name}', () => {
  it('answers what the delete answered', async () => {
    const name = uniqueName('kept');
    await createIssued(name);
    const deleted = await kv.request('DELETE', `/certificates/${name}`);
    expect(await kv.request('GET', `/deletedcertificates/${name.toUpperCase()}`)).toMatchObject({ status: 200, body: deleted.body });
  });

  it('answers 404 CertificateNotFound "Deleted Certificate not found" for a live certificate and a name with nothing', async () => {
    const live = uniqueName('live');
    await createIssued(live);
    expect(await kv.request('GET', `/deletedcertificates/${live}`)).toMatchObject({ status: 404, body: deletedNotFound(live) });
    const none = uniqueName('none');
    expect(await kv.request('GET', `/deletedcertificates/${none}`)).toMatchObject({ status: 404, body: deletedNotFound(none) });
  });
});

describe('POST /deletedcertificates/{name}/recover', () => {
  it('answers 200 with the CertificateBundle, and the certificate is live again', async () => {
    const name = uniqueName('Back');
    const live = await createIssued(name);
    expect((await kv.request('DELETE', `/certificates/${name}`)).status).toBe(200);
    const recovered = await kv.request('POST', `/deletedcertificates/${name}/recover`);
    expect(recovered.status).toBe(200);
    const { pending: _pending, ...liveBundle } = live;
    expect(recovered.body).toEqual(liveBundle);
    expect((await kv.request('GET', `/certificates/${name}/`)).body).toEqual(recovered.body);
    expect((await kv.request('GET', `/secrets/${name}/`)).status).toBe(200);
    expect(await kv.request('GET', `/deletedcertificates/${name}`)).toMatchObject({ status: 404, body: deletedNotFound(name) });
  });

  it('answers 404 "Deleted Certificate not found" for a name that is not deleted', async () => {
    const name = uniqueName('not-deleted');
    await createIssued(name);
    expect(await kv.request('POST', `/deletedcertificates/${name}/recover`)).toMatchObject({ status: 404, body: deletedNotFound(name) });
  });
});

describe('DELETE /deletedcertificates/{name} (purge)', () => {
  it('answers 204 with no body; the certificate is gone for good and its name is free', async () => {
    const name = uniqueName('Purged');
    await createIssued(name);
    expect((await kv.request('DELETE', `/certificates/${name}`)).status).toBe(200);
    const r = await kv.request('DELETE', `/deletedcertificates/${name.toLowerCase()}`);
    expect(r.status).toBe(204);
    expect(r.body).toEqual({});
    expect(await kv.request('GET', `/deletedcertificates/${name}`)).toMatchObject({ status: 404, body: deletedNotFound(name) });
    expect(await kv.request('POST', `/deletedcertificates/${name}/recover`)).toMatchObject({ status: 404, body: deletedNotFound(name) });
    expect(await kv.request('GET', `/certificates/${name}/`)).toMatchObject({ status: 404, body: notFound(name) });
    // A new certificate under the name starts from nothing: one version.
    await createIssued(name);
    expect((await kv.request('GET', `/certificates/${name}/versions`)).body.value).toHaveLength(1);
  });

  it('answers 404 "Deleted Certificate not found" for a live certificate, which it leaves alone', async () => {
    const name = uniqueName('not-purged');
    await createIssued(name);
    expect(await kv.request('DELETE', `/deletedcertificates/${name}`)).toMatchObject({ status: 404, body: deletedNotFound(name) });
    expect((await kv.request('GET', `/certificates/${name}/`)).status).toBe(200);
  });
});
