import { KeyVaultError } from '../../../shared/api/key-vault-error';
import { parseBody } from '../../../shared/api/parse-body';
import { setContactsSchema } from '../../../shared/api/schemas/contacts.schema';
import { contactsToWire } from '../../../shared/api/wire/contacts.wire';
import { deleteContacts, getContacts, setContacts } from '../../../shared/services/certificate-contacts';
import { memoryServiceContext } from '../../helpers/service-context';

const VAULT = 'https://vault.example';
const body = (contacts: unknown) => parseBody(setContactsSchema, JSON.stringify({ contacts }));

/** The refusal a body gets: status, code and message, or 'accepted'. */
function refusal(json: string): { status: number; code: string; message: string } | 'accepted' {
  try {
    parseBody(setContactsSchema, json);
    return 'accepted';
  } catch (error) {
    if (!(error instanceof KeyVaultError)) throw error;
    return { status: error.status, code: error.code, message: error.message };
  }
}

const notFound = { status: 404, code: 'ContactsNotFound', message: 'Contacts not found' };

async function refusalOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KeyVaultError)) throw new Error(`expected a Key Vault error, got ${String(error)}`);
  return { status: error.status, code: error.code, message: error.message };
}

describe('certificate contacts', () => {
  it('answers 404 ContactsNotFound to GET and DELETE before any are set', async () => {
    const { ctx } = memoryServiceContext();
    expect(await refusalOf(getContacts(ctx))).toEqual(notFound);
    expect(await refusalOf(deleteContacts(ctx))).toEqual(notFound);
  });

  it('sets, reads and deletes the list, DELETE returning what it removed and leaving none', async () => {
    const { ctx } = memoryServiceContext();
    const contacts = [{ email: 'a@b.c', name: 'A', phone: '1' }, { email: 'only@mail' }];
    expect(await setContacts(ctx, body(contacts))).toEqual(contacts);
    expect(await getContacts(ctx)).toEqual(contacts);
    expect(await deleteContacts(ctx)).toEqual(contacts);
    expect(await refusalOf(getContacts(ctx))).toEqual(notFound);
    expect(await refusalOf(deleteContacts(ctx))).toEqual(notFound);
  });

  it('replaces the whole list on PUT', async () => {
    const { ctx } = memoryServiceContext();
    await setContacts(ctx, body([{ email: 'old@contoso.com' }, { email: 'older@contoso.com' }]));
    await setContacts(ctx, body([{ email: 'new@contoso.com' }]));
    expect(await getContacts(ctx)).toEqual([{ email: 'new@contoso.com' }]);
  });

  it('treats a null or empty name and phone as none', async () => {
    const { ctx } = memoryServiceContext();
    await setContacts(ctx, body([{ email: 'a@b.c', name: null, phone: '' }]));
    const stored = await getContacts(ctx);
    expect(stored).toEqual([{ email: 'a@b.c' }]);
    expect(contactsToWire(VAULT, stored)).toEqual({ id: `${VAULT}/certificates/contacts`, contacts: [{ email: 'a@b.c' }] });
  });
});

describe('the contacts body', () => {
  const bad = (message: string) => ({ status: 400, code: 'BadParameter', message: `Property has invalid value: ${message}` });

  it('accepts the bodies the SDKs send', () => {
    expect(refusal('{"contacts":[{"email":"a@b.c","name":"A","phone":"1"},{"email":"only@mail"}]}')).toBe('accepted');
    expect(refusal('{"contacts":[{"email":"a@b.c","name":null,"phone":null}]}')).toBe('accepted');
  });

  it('says what is wrong and where', () => {
    expect(refusal('{}')).toEqual(bad('contacts: contacts must be an array of {email, name, phone}'));
    expect(refusal('{"contacts":[]}')).toEqual(bad('contacts: at least one contact is required; to remove the contacts, DELETE /certificates/contacts'));
    expect(refusal('{"contacts":[{"name":"No Mail"}]}')).toEqual(bad('contacts[0].email: email is required'));
    expect(refusal('{"contacts":[{"email":"a@b.c"},{"email":"not an address"}]}')).toEqual(bad('contacts[1].email: email must be an address such as name@example.com'));
    expect(refusal('{"contacts":[{"email":"a@b.c","phone":5550100}]}')).toEqual(bad('contacts[0].phone: phone must be a string'));
    expect(refusal('{"contacts":[{"email":"a@b.c","name":"line\\nbreak"}]}')).toEqual(bad('contacts[0].name: name must not contain control characters'));
  });

  it('bounds the list and every field, so it always fits its table row', () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ email: `c${i}@contoso.com` }));
    expect(refusal(JSON.stringify({ contacts: many }))).toEqual(bad('contacts: at most 20 contacts are allowed'));
    expect(refusal(JSON.stringify({ contacts: many.slice(0, 20) }))).toBe('accepted');
    expect(refusal(JSON.stringify({ contacts: [{ email: `${'a'.repeat(250)}@b.c` }] }))).toBe('accepted');
    expect(refusal(JSON.stringify({ contacts: [{ email: `${'a'.repeat(251)}@b.c` }] }))).toEqual(bad('contacts[0].email: email is longer than 254 characters'));
    expect(refusal(JSON.stringify({ contacts: [{ email: 'a@b.c', name: 'n'.repeat(129) }] }))).toEqual(bad('contacts[0].name: name is longer than 128 characters'));
    expect(refusal(JSON.stringify({ contacts: [{ email: 'a@b.c', phone: '1'.repeat(33) }] }))).toEqual(bad('contacts[0].phone: phone is longer than 32 characters'));
    // The longest list of the longest fields, each character one that JSON escapes, still fits.
    const widest = Array.from({ length: 20 }, () => ({ email: `${'"'.repeat(248)}@b.c`, name: '\\'.repeat(128), phone: '"'.repeat(32) }));
    expect(refusal(JSON.stringify({ contacts: widest }))).toBe('accepted');
    // Lone surrogates are escaped six characters each: that list would not fit, and is refused as such.
    const surrogates = Array.from({ length: 20 }, () => ({ email: `${'\ud800'.repeat(250)}@b.c`, name: '\ud800'.repeat(128) }));
    expect(refusal(JSON.stringify({ contacts: surrogates }))).toEqual(bad('contacts: the contacts are too large to store'));
  });
});
