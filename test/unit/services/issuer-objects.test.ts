import { parseBody } from '../../../shared/api/parse-body';
import { setIssuerSchema, updateIssuerSchema } from '../../../shared/api/schemas/request-bodies.schema';
import { openPrivateKey } from '../../../shared/crypto/key-encryption';
import { KeyVaultError } from '../../../shared/api/key-vault-error';
import {
  deleteIssuer,
  getIssuer,
  issuerPasswordBinding,
  listIssuers,
  setIssuer,
  updateIssuer,
} from '../../../shared/services/issuer-objects';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

const T0 = Date.parse('2026-01-01T00:00:00Z') / 1000;

/** What the JS SDK sends for createIssuer("...", "Test", {accountId, password, organizationId, administratorContacts, enabled}). */
const created = {
  provider: 'Test',
  credentials: { account_id: 'keyvaultuser', pwd: 'first-secret' },
  org_details: { id: 'org1', admin_details: [{ first_name: 'John', last_name: 'Doe', email: 'admin@contoso.com', phone: '4255555555' }] },
  attributes: { enabled: true },
};

function setup() {
  const clock = manualClock();
  const s = memoryServiceContext({ clock });
  return { ...s, clock };
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KeyVaultError)) throw new Error(`expected a Key Vault refusal, got ${String(error)}`);
  return { status: error.status, code: error.code, message: error.message };
}

const notFound = { status: 404, code: 'CertificateIssuerNotFound', message: 'Issuer not found' };

describe('updating an issuer (PATCH)', () => {
  it('changes what the body gives and keeps everything else, the password included', async () => {
    const { ctx, clock } = setup();
    await setIssuer(ctx, 'My-CA', parseBody(setIssuerSchema, JSON.stringify(created)));
    clock.advance(30);

    // What the JS SDK sends for updateIssuer("my-ca", {provider: "GlobalSign"}): credentials always, often empty.
    const updated = await updateIssuer(ctx, 'my-ca', parseBody(updateIssuerSchema, '{"provider":"GlobalSign","credentials":{}}'));

    const before = await getIssuer(ctx, 'MY-CA');
    expect(updated).toEqual(before);
    expect(updated).toMatchObject({
      name: 'My-CA',
      provider: 'GlobalSign',
      accountId: 'keyvaultuser',
      organizationId: 'org1',
      adminContacts: [{ firstName: 'John', lastName: 'Doe', email: 'admin@contoso.com', phone: '4255555555' }],
      enabled: true,
      created: T0,
      updated: T0 + 30,
    });
    const sealed = updated.sealedPassword ?? '';
    expect(openPrivateKey(ctx.keyEncryptionKey, sealed, issuerPasswordBinding('my-ca')).toString('utf8')).toBe('first-secret');
  });

  it('replaces the account, a new password (sealed), the organisation, the administrators and enabled when given', async () => {
    const { ctx } = setup();
    await setIssuer(ctx, 'ca', parseBody(setIssuerSchema, JSON.stringify(created)));
    const updated = await updateIssuer(ctx, 'ca', {
      credentials: { account_id: 'other-user', pwd: 'second-secret' },
      org_details: { id: 'org2', admin_details: [{ email: 'ops@contoso.com' }] },
      attributes: { enabled: false },
    });
    expect(updated).toMatchObject({ provider: 'Test', accountId: 'other-user', organizationId: 'org2', adminContacts: [{ email: 'ops@contoso.com' }], enabled: false });
    expect(JSON.stringify(await getIssuer(ctx, 'ca'))).not.toContain('second-secret');
    const sealed = (await getIssuer(ctx, 'ca')).sealedPassword ?? '';
    expect(openPrivateKey(ctx.keyEncryptionKey, sealed, issuerPasswordBinding('CA')).toString('utf8')).toBe('second-secret');
  });

  it('answers 404 CertificateIssuerNotFound for an issuer that does not exist, and creates none', async () => {
    const { ctx } = setup();
    expect(await refusal(updateIssuer(ctx, 'nobody', { provider: 'Test' }))).toEqual(notFound);
    expect(await refusal(getIssuer(ctx, 'nobody'))).toEqual(notFound);
  });

  it('refuses what PUT refuses: an empty provider, over-long members, too many administrators', () => {
    const bad = (body: unknown) => () => parseBody(updateIssuerSchema, JSON.stringify(body));
    expect(bad({ provider: ' ' })).toThrow('provider: provider is required');
    expect(bad({ credentials: { pwd: 'x'.repeat(1025) } })).toThrow('credentials.pwd: pwd must be at most 1024 characters');
    expect(bad({ org_details: { admin_details: Array.from({ length: 21 }, () => ({})) } })).toThrow('at most 20 administrators are allowed');
    expect(bad({ attributes: { enabled: 'no' } })).toThrow(KeyVaultError);
    expect(() => parseBody(setIssuerSchema, JSON.stringify({ provider: 'p'.repeat(257) }))).toThrow('provider must be at most 256 characters');
  });
});

describe('the provider an issuer names', () => {
  const known = "Known providers: Test, PrivateCA, ACME. DigiCert and GlobalSign are accepted, as on Key Vault, but cannot issue here.";

  it('must be one this deployment knows: PUT and PATCH refuse any other with 400 naming the known ones, and store nothing', async () => {
    const { ctx } = setup();
    expect(await refusal(setIssuer(ctx, 'typo', { provider: 'Tset' }))).toEqual({
      status: 400,
      code: 'BadParameter',
      message: `The issuer provider 'Tset' is not known to this deployment. ${known}`,
    });
    expect(await refusal(getIssuer(ctx, 'typo'))).toEqual(notFound);

    await setIssuer(ctx, 'kept', { provider: 'Test' });
    expect(await refusal(updateIssuer(ctx, 'kept', { provider: 'Test2' }))).toMatchObject({ status: 400, message: `The issuer provider 'Test2' is not known to this deployment. ${known}` });
    expect((await getIssuer(ctx, 'kept')).provider).toBe('Test');
  });

  it("is matched without regard to case and kept as the caller spelled it; Key Vault's own partners are accepted", async () => {
    const { ctx } = setup();
    expect((await setIssuer(ctx, 'lower', { provider: 'test' })).provider).toBe('test');
    expect((await setIssuer(ctx, 'digicert', { provider: 'DigiCert' })).provider).toBe('DigiCert');
    expect((await updateIssuer(ctx, 'digicert', { provider: 'globalsign' })).provider).toBe('globalsign');
  });
});

describe('deleting an issuer (DELETE)', () => {
  it('answers the issuer as it was, after which it is gone', async () => {
    const { ctx } = setup();
    const issuer = await setIssuer(ctx, 'Doomed', parseBody(setIssuerSchema, JSON.stringify(created)));
    expect(await deleteIssuer(ctx, 'doomed')).toEqual(issuer);
    expect(await refusal(getIssuer(ctx, 'Doomed'))).toEqual(notFound);
    expect(await refusal(deleteIssuer(ctx, 'doomed'))).toEqual(notFound);
  });
});

describe('listing issuers', () => {
  it('pages through every issuer once, in name order, with a continuation only while more follow', async () => {
    const { ctx } = setup();
    const names = Array.from({ length: 30 }, (_, i) => `issuer-${String(i).padStart(2, '0')}`);
    for (const name of [...names].reverse()) await setIssuer(ctx, name, { provider: 'Test' });

    const pages: string[][] = [];
    let after: string | undefined;
    do {
      const page = await listIssuers(ctx, 7, after);
      pages.push(page.issuers.map((i) => i.name));
      after = page.continueAfter;
    } while (after !== undefined);
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 2]);
    expect(pages.flat()).toEqual(names);
  });

  it('ends a list whose last page is full without a continuation', async () => {
    const { ctx } = setup();
    for (const name of ['a', 'b', 'c', 'd']) await setIssuer(ctx, name, { provider: 'Test' });
    const first = await listIssuers(ctx, 2);
    expect(first.continueAfter).toBe('b');
    expect(await listIssuers(ctx, 2, first.continueAfter)).toEqual({ issuers: [await getIssuer(ctx, 'c'), await getIssuer(ctx, 'd')] });
  });
});
