import { CertificateClient, type CertificateContact } from '@azure/keyvault-certificates';
import { type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * The vault's certificate contacts over the wire and through the JS SDK. This file has its own storage
 * account, so the vault starts with no contacts; the cases run in order and each leaves none behind.
 */
let service: ServiceUnderTest;
let kv: RawClient;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
});
afterAll(() => service?.stop());

const notFound = { error: { code: 'ContactsNotFound', message: 'Contacts not found' } };

describe('raw HTTP', () => {
  it('answers 404 ContactsNotFound to GET and DELETE while none are set', async () => {
    for (const method of ['GET', 'DELETE']) {
      const r = await kv.request(method, '/certificates/contacts');
      expect([method, r.status, r.body]).toEqual([method, 404, notFound]);
    }
  });

  it('sets, reads and deletes the contacts with 200 and the Contacts body, DELETE returning the ones removed', async () => {
    // The body the JS SDK sends for a full contact and an email-only one (spec §2.12).
    const contacts = [{ email: 'a@b.c', name: 'A', phone: '1' }, { email: 'only@mail' }];
    const expected = { id: `${service.url}/certificates/contacts`, contacts };

    const put = await kv.request('PUT', '/certificates/contacts', { contacts });
    expect([put.status, put.body]).toEqual([200, expected]);
    const get = await kv.request('GET', '/certificates/contacts/');
    expect([get.status, get.body]).toEqual([200, expected]);
    const del = await kv.request('DELETE', '/certificates/contacts');
    expect([del.status, del.body]).toEqual([200, expected]);

    const after = await kv.request('GET', '/certificates/contacts');
    expect([after.status, after.body]).toEqual([404, notFound]);
  });

  it('refuses a bad body with 400 BadParameter and keeps the contacts it had', async () => {
    await kv.request('PUT', '/certificates/contacts', { contacts: [{ email: 'kept@contoso.com' }] });
    const cases: [unknown, string][] = [
      ['not json', 'The request body is not valid JSON.'],
      [{ contacts: [] }, 'Property has invalid value: contacts: at least one contact is required; to remove the contacts, DELETE /certificates/contacts'],
      [{ contacts: [{ name: 'No Mail' }] }, 'Property has invalid value: contacts[0].email: email is required'],
      [{ contacts: [{ email: 'no address' }] }, 'Property has invalid value: contacts[0].email: email must be an address such as name@example.com'],
    ];
    for (const [body, message] of cases) {
      const r = await kv.request('PUT', '/certificates/contacts', body);
      expect([r.status, r.body]).toEqual([400, { error: { code: 'BadParameter', message } }]);
    }
    expect((await kv.request('DELETE', '/certificates/contacts')).body.contacts).toEqual([{ email: 'kept@contoso.com' }]);
  });
});

describe('the JS SDK', () => {
  const client = () =>
    new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);

  it('sets, gets and deletes contacts, and reads none as a 404 RestError', async () => {
    const certificates = client();
    const contacts: CertificateContact[] = [{ email: 'ops@contoso.com', name: 'Ops', phone: '+1 555 0100' }, { email: 'security@contoso.com' }];
    expect(await certificates.setContacts(contacts)).toEqual(contacts);
    expect(await certificates.getContacts()).toEqual(contacts);
    await certificates.setContacts([{ email: 'replaced@contoso.com', name: 'Replaced' }]);
    expect(await certificates.getContacts()).toEqual([{ email: 'replaced@contoso.com', name: 'Replaced' }]);

    await certificates.deleteContacts();
    await expect(certificates.getContacts()).rejects.toMatchObject({ statusCode: 404, code: 'ContactsNotFound', message: 'Contacts not found' });
    await expect(certificates.deleteContacts()).rejects.toMatchObject({ statusCode: 404, code: 'ContactsNotFound' });
  });

  it('surfaces a refused list as a 400 RestError', async () => {
    await expect(client().setContacts([{ name: 'No Mail' }])).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadParameter',
      message: 'Property has invalid value: contacts[0].email: email is required',
    });
  });
});
