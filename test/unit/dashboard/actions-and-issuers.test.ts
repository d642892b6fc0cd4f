import { enabledPatchOf, mergeRequestOf, renewRequestOf } from '../../../functions/dashboard/page/model/actions';
import { certificateRowOfItem } from '../../../functions/dashboard/page/model/certificate-row';
import { deletedRowOf } from '../../../functions/dashboard/page/model/deleted';
import { contactLinesOf, issuerViewOf } from '../../../functions/dashboard/page/model/issuers';
import { needsOperationRead } from '../../../functions/dashboard/page/model/pending';

// Two real-looking DER certificates' base64 starts ("MI…"); the merge body carries them as they are.
const LEAF = 'MIIBszCCAVmgAwIBAgIUQ2xlYWYAAAAAAAAAAAAAAAAAAAAwCgYIKoZIzj0EAwIw';
const ROOT = 'MIIBpjCCAUygAwIBAgIURm9vdAAAAAAAAAAAAAAAAAAAAAAwCgYIKoZIzj0EAwIw';
const pem = (base64: string) => `-----BEGIN CERTIFICATE-----\n${base64.slice(0, 32)}\n${base64.slice(32)}\n-----END CERTIFICATE-----\n`;

describe('renew now', () => {
  it('asks for a new version with the policy as read, less the service-written id and times', () => {
    const policy = {
      id: 'https://vault.local/certificates/web-1/policy',
      key_props: { kty: 'EC', crv: 'P-256', exportable: true, reuse_key: false },
      x509_props: { subject: 'CN=web-1', sans: { dns_names: ['web-1.contoso.com'] }, validity_months: 12 },
      issuer: { name: 'Self' },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
      attributes: { enabled: true, created: 1_700_000_000, updated: 1_700_000_001 },
    };
    expect(renewRequestOf(policy)).toEqual({
      policy: {
        key_props: policy.key_props,
        x509_props: policy.x509_props,
        issuer: { name: 'Self' },
        lifetime_actions: policy.lifetime_actions,
        attributes: { enabled: true },
      },
    });
  });

  it('disables or enables through the attributes only', () => {
    expect(enabledPatchOf(false)).toEqual({ attributes: { enabled: false } });
  });
});

describe('merge: the signed chain an operator pastes', () => {
  it('takes PEM certificates, in order, as base64 DER', () => {
    expect(mergeRequestOf(`leaf:\n${pem(LEAF)}root:\n${pem(ROOT)}`)).toEqual({ ok: true, body: { x5c: [LEAF, ROOT] } });
  });

  it('takes base64 DER, one per line', () => {
    expect(mergeRequestOf(` ${LEAF}\n${ROOT}\n`)).toEqual({ ok: true, body: { x5c: [LEAF, ROOT] } });
  });

  it('refuses a private key, whatever else comes with it, and never echoes it', () => {
    const withKey = `${pem(LEAF)}-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n`;
    const result = mergeRequestOf(withKey);
    expect(result).toEqual({ ok: false, message: expect.stringContaining('private key') });
    expect(JSON.stringify(result)).not.toContain('MIGHAgEA');
    expect(mergeRequestOf('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----').ok).toBe(false);
  });

  it('says what is wrong with anything else', () => {
    expect(mergeRequestOf('  ')).toEqual({ ok: false, message: expect.stringContaining('Paste the signed certificate') });
    expect(mergeRequestOf('-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----')).toEqual({ ok: false, message: expect.stringContaining('"CERTIFICATE REQUEST" is not a certificate') });
    expect(mergeRequestOf(`${LEAF}\nhello`)).toEqual({ ok: false, message: 'Certificate 2 is not a base64 DER certificate.' });
  });
});

describe('deleted certificates', () => {
  it('reads name, dates and whether purging is allowed from the recovery level', () => {
    expect(
      deletedRowOf({
        id: 'https://vault.local/certificates/web-1',
        recoveryId: 'https://vault.local/deletedcertificates/web-1',
        deletedDate: 1_700_000_000,
        scheduledPurgeDate: 1_707_776_000,
        attributes: { enabled: true, recoveryLevel: 'CustomizedRecoverable+Purgeable' },
      }),
    ).toEqual({ name: 'web-1', deletedAt: 1_700_000_000_000, purgeAt: 1_707_776_000_000, recoveryLevel: 'CustomizedRecoverable+Purgeable', purgeable: true });
    expect(deletedRowOf({ recoveryId: 'https://vault.local/deletedcertificates/kept', attributes: { recoveryLevel: 'Recoverable+ProtectedSubscription' } })).toMatchObject({ name: 'kept', purgeable: false });
  });
});

describe('issuers and contacts, read-only', () => {
  it('shows provider, enabled, times and administrators, and no credential, whatever the response carries', () => {
    const view = issuerViewOf({
      id: 'https://vault.local/certificates/issuers/corp-acme',
      provider: 'ACME',
      credentials: { account_id: 'https://acme.contoso.com/directory?token=sekr1t-account', pwd: 'hunter2-eab-hmac' },
      org_details: { id: 'eab-kid-s3cret', admin_details: [{ first_name: 'Ada', last_name: 'Ops', email: 'ada@contoso.com', phone: '555-0100' }] },
      attributes: { enabled: true, created: 1_767_225_600, updated: 1_767_229_200 },
    });
    expect(view).toEqual({
      name: 'corp-acme',
      provider: 'ACME',
      enabled: 'yes',
      created: '2026-01-01 00:00 UTC',
      updated: '2026-01-01 01:00 UTC',
      admins: ['Ada Ops ada@contoso.com'],
    });
    const text = JSON.stringify(view);
    for (const secret of ['sekr1t', 'hunter2', 'eab-kid', 'account_id', 'pwd']) expect(text).not.toContain(secret);
  });

  it('lists the vault contacts one per line, and none when there are none', () => {
    expect(contactLinesOf({ contacts: [{ email: 'ops@contoso.com', name: 'Ops', phone: '555-0100' }, { email: 'sec@contoso.com' }] })).toEqual(['Ops · ops@contoso.com · 555-0100', 'sec@contoso.com']);
    expect(contactLinesOf(undefined)).toEqual([]);
  });
});

describe('what the page reads for a large vault', () => {
  it('draws a row from the list alone: name, validity, enabled; an unissued one has no window', () => {
    expect(certificateRowOfItem({ id: 'https://vault.local/certificates/web-1', x5t: 'abc', attributes: { enabled: true, nbf: 1_700_000_000, exp: 1_731_536_000 } })).toEqual({
      name: 'web-1',
      issuer: '',
      subject: '',
      sans: [],
      keyType: '',
      enabled: true,
      pendingOnly: false,
      hasPending: false,
      notBefore: 1_700_000_000_000,
      expires: 1_731_536_000_000,
    });
    const unissued = certificateRowOfItem({ id: 'https://vault.local/certificates/new', attributes: { enabled: false, nbf: 1, exp: 2 } });
    expect(unissued).toMatchObject({ name: 'new', pendingOnly: true });
    expect('expires' in unissued).toBe(false);
  });

  it('reads a pending operation only when it may be unfinished', () => {
    const pending = { id: 'https://vault.local/certificates/web-1/pending' };
    expect(needsOperationRead({ x5t: 'abc' }, undefined)).toBe(false);
    // Not issued yet, or a caller's create on top (it shows as the latest version, without x5t).
    expect(needsOperationRead({ pending }, undefined)).toBe(true);
    // Issued: the operation is the finished create, or a sweep renewal whose outcome the lifetime tells.
    expect(needsOperationRead({ x5t: 'abc', pending }, {})).toBe(false);
    expect(needsOperationRead({ x5t: 'abc', pending }, { last_renewal: { outcome: 'completed' } })).toBe(false);
    for (const outcome of ['started', 'failed', 'cancelled']) expect(needsOperationRead({ x5t: 'abc', pending }, { last_renewal: { outcome } })).toBe(true);
  });
});
