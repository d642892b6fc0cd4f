import { execFileSync } from 'node:child_process';
import { LATEST_API_VERSION } from '../../../shared/api/api-version';
import { API_VERSION } from '../../../functions/dashboard/page/api';
import { certificateNamesOf } from '../../../functions/dashboard/page/model/certificate-names';
import { type CreateFormInput, createRequestOf } from '../../../functions/dashboard/page/model/policy-form';
import { canCancel, pendingRowOf, retryStateOf } from '../../../functions/dashboard/page/model/pending';
import { canChangeCertificates } from '../../../functions/dashboard/page/model/roles';
import { DASHBOARD_ROLES } from '../../../functions/dashboard/local-token';
import { rolesGrant, dataActionOf } from '../../../shared/auth/roles';

const form: CreateFormInput = {
  name: 'web-1',
  issuer: 'Self',
  subject: 'CN=web-1.contoso.com',
  sans: 'web-1.contoso.com, www.contoso.com\nops@contoso.com',
  keyType: 'EC-P-256',
  validityMonths: '6',
  contentType: 'application/x-pem-file',
};

describe('create form → policy', () => {
  it('builds the create request Key Vault takes: key, subject, SANs split by kind, validity, issuer by name', () => {
    expect(createRequestOf(form)).toEqual({
      ok: true,
      name: 'web-1',
      body: {
        attributes: { enabled: true },
        policy: {
          key_props: { kty: 'EC', crv: 'P-256', exportable: true, reuse_key: false },
          secret_props: { contentType: 'application/x-pem-file' },
          x509_props: { subject: 'CN=web-1.contoso.com', sans: { dns_names: ['web-1.contoso.com', 'www.contoso.com'], emails: ['ops@contoso.com'] }, validity_months: 6 },
          issuer: { name: 'Self' },
        },
      },
    });
    const rsa = createRequestOf({ ...form, issuer: 'corp-ca', keyType: 'RSA-3072', sans: '', contentType: 'application/x-pkcs12' });
    expect(rsa.ok && rsa.body.policy).toMatchObject({ key_props: { kty: 'RSA', key_size: 3072 }, issuer: { name: 'corp-ca' }, x509_props: { subject: 'CN=web-1.contoso.com', validity_months: 6 } });
    expect(rsa.ok && rsa.body.policy.x509_props?.sans).toBeUndefined();
  });

  it('says which field is wrong, and why', () => {
    const result = createRequestOf({ ...form, name: 'bad name', subject: '', sans: '', validityMonths: '0', keyType: 'DSA' });
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['name', 'subject', 'keyType', 'validityMonths']);
    const dns = createRequestOf({ ...form, sans: 'ok.contoso.com bad_name!' });
    expect(dns.ok ? '' : dns.errors[0]?.message).toBe('"bad_name!" is not a DNS name.');
  });
});

describe('pending operations', () => {
  const now = Date.UTC(2026, 0, 1, 12);
  const stuck = pendingRowOf('stuck', {
    id: 'x',
    status: 'inProgress',
    issuer: { name: 'never-done' },
    cancellation_requested: false,
    issuer_job: { attempts: 2, max_attempts: 5, last_attempt: now / 1000 - 120, next_attempt: now / 1000 + 3540, last_error: 'CA unreachable' },
  });

  it('shows the retry state in words: failed attempts of the limit, when it last asked and asks next', () => {
    expect(retryStateOf(stuck, now)).toBe('2 failed attempts of 5; last asked 2 min ago; next attempt in 59 min (2026-01-01 12:59 UTC)');
    expect(stuck.lastError).toBe('CA unreachable');
  });

  it('offers cancel only while in progress and not already asked', () => {
    expect(canCancel(stuck)).toBe(true);
    expect(canCancel({ ...stuck, cancellationRequested: true })).toBe(false);
    expect(canCancel({ ...stuck, status: 'cancelled' })).toBe(false);
  });
});

describe('roles and sign-in', () => {
  it('shows actions to an officer or administrator only, matching what the API grants', () => {
    expect(canChangeCertificates([DASHBOARD_ROLES.officer])).toBe(true);
    expect(canChangeCertificates(['KeyVault.Administrator'])).toBe(true);
    expect(canChangeCertificates([DASHBOARD_ROLES.reader])).toBe(false);
    // The two roles the local token hands out are Key Vault's: the officer may create, the reader may only read.
    expect(rolesGrant([DASHBOARD_ROLES.officer], dataActionOf('certificates/create'))).toBe(true);
    expect(rolesGrant([DASHBOARD_ROLES.reader], dataActionOf('certificates/create'))).toBe(false);
    expect(rolesGrant([DASHBOARD_ROLES.reader], dataActionOf('certificates/list'))).toBe(true);
  });

  it('calls the newest api-version the service answers', () => {
    expect(API_VERSION).toBe(LATEST_API_VERSION);
  });
});

describe('certificate names for the chain line', () => {
  it('reads subject and issuer out of a DER certificate', () => {
    let der: Buffer;
    try {
      der = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/C=NL/O=Contoso/CN=web.contoso.com', '-days', '1', '-outform', 'DER'], { stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      throw new Error('openssl is needed for this test (.ci/run installs it)');
    }
    expect(certificateNamesOf(new Uint8Array(der))).toEqual({ subject: 'C=NL, O=Contoso, CN=web.contoso.com', issuer: 'C=NL, O=Contoso, CN=web.contoso.com' });
    expect(certificateNamesOf(new Uint8Array([0x30, 0x05, 0x01]))).toBeUndefined();
  });
});
