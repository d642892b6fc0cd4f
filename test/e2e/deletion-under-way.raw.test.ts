import { type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/**
 * The catalogue row "Purge/recover during deletion: 409 Conflict (ObjectIsBeingDeleted) 'Certificate is currently
 * being deleted.'" over raw HTTP. On Key Vault a deletion takes a moment; here DELETION_MIN_SECONDS makes it take
 * one (a minute: longer than this file runs), so the window can be seen.
 */
let service: ServiceUnderTest;
let kv: RawClient;

beforeAll(async () => {
  service = await startService({ DELETION_MIN_SECONDS: '60' });
  kv = rawClient(service.url, () => service.token());
});
afterAll(() => service?.stop());

const beingDeleted = {
  error: { code: 'Conflict', message: 'Certificate is currently being deleted.', innererror: { code: 'ObjectIsBeingDeleted' } },
};

it('answers recover and purge of a certificate whose deletion is under way with 409 ObjectIsBeingDeleted, and does not show it as deleted yet', async () => {
  const name = `being-deleted-${Date.now().toString(36)}`;
  const created = await kv.request('POST', `/certificates/${name}/create`, {
    policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: `CN=${name}` }, issuer: { name: 'Self' } },
  });
  expect(created.status).toBe(202);
  await eventually(`${name} issued`, async () => ((await kv.request('GET', `/certificates/${name}/pending`)).body.status === 'completed' ? true : undefined));

  const deleted = await kv.request('DELETE', `/certificates/${name}`);
  expect(deleted.status).toBe(200);
  expect(deleted.body.recoveryId).toBe(`${service.url}/deletedcertificates/${name}`);

  expect(await kv.request('GET', `/deletedcertificates/${name}`)).toMatchObject({
    status: 404,
    body: { error: { code: 'CertificateNotFound', message: `Deleted Certificate not found: ${name}` } },
  });
  expect(await kv.request('POST', `/deletedcertificates/${name}/recover`)).toMatchObject({ status: 409, body: beingDeleted });
  expect(await kv.request('DELETE', `/deletedcertificates/${name}`)).toMatchObject({ status: 409, body: beingDeleted });
  // Gone from the live routes at once.
  expect((await kv.request('GET', `/certificates/${name}/`)).status).toBe(404);
});
