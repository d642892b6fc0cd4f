import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import { ValidationError } from '../../../shared/domain/validation-error';

const NOW = 1_700_000_000;

describe('resolvePolicy: Key Vault defaults for what the SDK sends', () => {
  it('fills the defaults the real service shows for the SDK default policy', () => {
    // What beginCreateCertificate sends for { issuerName: "Self", subject: "cn=MyCert" }.
    const policy = resolvePolicy(
      { key_props: {}, secret_props: {}, x509_props: { subject: 'cn=MyCert', sans: {} }, issuer: { name: 'Self' }, attributes: {} },
      NOW,
    );
    expect(policy.key).toEqual({ kty: 'RSA', keySize: 2048, exportable: true, reuseKey: false });
    expect(policy.secretContentType).toBe('application/x-pkcs12');
    expect(policy.ekus).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(policy.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(policy.validityMonths).toBe(12);
    expect(policy.lifetimeActions).toEqual([{ trigger: { lifetimePercentage: 80 }, action: 'AutoRenew' }]);
    expect(policy.issuer).toEqual({ name: 'Self' });
    expect(policy.subject).toBe('cn=MyCert');
    expect(policy.created).toBe(NOW);
  });

  it('treats a missing issuer as Unknown, whose default lifetime action only emails contacts', () => {
    const policy = resolvePolicy({ x509_props: { subject: 'CN=x' }, issuer: {} }, NOW);
    expect(policy.issuer.name).toBe('Unknown');
    expect(policy.lifetimeActions).toEqual([{ trigger: { lifetimePercentage: 80 }, action: 'EmailContacts' }]);
  });

  it('gives EC keys P-256 and digitalSignature only', () => {
    const policy = resolvePolicy({ key_props: { kty: 'EC' }, x509_props: { subject: 'CN=x' } }, NOW);
    expect(policy.key).toMatchObject({ kty: 'EC', curve: 'P-256' });
    expect(policy.keyUsage).toEqual(['digitalSignature']);
  });

  it('reads a curve without a key type as EC', () => {
    expect(resolvePolicy({ key_props: { crv: 'P-384' }, x509_props: { subject: 'CN=x' } }, NOW).key).toMatchObject({ kty: 'EC', curve: 'P-384' });
  });

  it('keeps everything the full SDK policy sets', () => {
    const policy = resolvePolicy(
      {
        key_props: { exportable: false, kty: 'EC', reuse_key: true, crv: 'P-521' },
        secret_props: { contentType: 'application/x-pem-file' },
        x509_props: {
          subject: 'CN=full.example',
          ekus: ['1.3.6.1.5.5.7.3.1'],
          sans: { emails: ['x@y.z'], dns_names: ['a.example'], upns: ['u@p'], uris: ['https://u'], ipAddresses: ['10.0.0.1'] },
          key_usage: ['digitalSignature'],
          validity_months: 24,
        },
        lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } }],
        issuer: { name: 'self', cty: 'OV-SSL', cert_transparency: false },
      },
      NOW,
    );
    expect(policy.key).toEqual({ kty: 'EC', curve: 'P-521', exportable: false, reuseKey: true });
    expect(policy.secretContentType).toBe('application/x-pem-file');
    expect(policy.sans).toEqual({ emails: ['x@y.z'], dnsNames: ['a.example'], upns: ['u@p'], uris: ['https://u'], ipAddresses: ['10.0.0.1'] });
    expect(policy.validityMonths).toBe(24);
    expect(policy.lifetimeActions).toEqual([{ trigger: { daysBeforeExpiry: 30 }, action: 'EmailContacts' }]);
    expect(policy.issuer).toEqual({ name: 'Self', certificateType: 'OV-SSL', certificateTransparency: false });
  });

  it('merges an update onto the current policy, keeping what the caller left out', () => {
    const base = resolvePolicy({ key_props: { kty: 'EC', crv: 'P-384' }, x509_props: { subject: 'CN=a', validity_months: 6 }, issuer: { name: 'Self' } }, NOW);
    const updated = resolvePolicy({ x509_props: { subject: 'CN=b' } }, NOW + 10, base);
    expect(updated.subject).toBe('CN=b');
    expect(updated.key).toMatchObject({ kty: 'EC', curve: 'P-384' });
    expect(updated.validityMonths).toBe(6);
    expect(updated.issuer.name).toBe('Self');
    expect(updated.created).toBe(NOW);
    expect(updated.updated).toBe(NOW + 10);
  });
});

describe('resolvePolicy: subject alternative names in an update', () => {
  const base = resolvePolicy({ x509_props: { sans: { dns_names: ['a.example'], emails: ['x@y.z'] } } }, NOW);

  it("keeps every list the update leaves out, so the SDKs' `sans: {}` changes nothing", () => {
    expect(resolvePolicy({ x509_props: { subject: 'CN=b', sans: {} } }, NOW, base).sans).toEqual(base.sans);
  });

  it('replaces a list the update gives, and an empty list clears it', () => {
    const updated = resolvePolicy({ x509_props: { subject: 'CN=b', sans: { dns_names: ['b.example'], emails: [] } } }, NOW, base);
    expect(updated.sans).toEqual({ ...base.sans, dnsNames: ['b.example'], emails: [] });
  });

  it('refuses an update that leaves neither a subject nor a name', () => {
    expect(() => resolvePolicy({ x509_props: { sans: { dns_names: [], emails: [] } } }, NOW, base)).toThrow(/needs a subject or at least one/);
  });
});

describe('resolvePolicy: refusals say what is wrong', () => {
  const refuse = (input: Parameters<typeof resolvePolicy>[0], message: RegExp) =>
    expect(() => resolvePolicy(input, NOW)).toThrow(expect.objectContaining({ name: ValidationError.name, message: expect.stringMatching(message) }));

  it.each([
    [{ key_props: { kty: 'RSA', key_size: 1024 }, x509_props: { subject: 'CN=x' } }, /key_size.*1024.*2048, 3072 or 4096/],
    [{ key_props: { kty: 'EC', crv: 'P-192' }, x509_props: { subject: 'CN=x' } }, /crv.*P-192/],
    [{ key_props: { kty: 'oct' }, x509_props: { subject: 'CN=x' } }, /kty.*oct/],
    [{ key_props: { kty: 'RSA-HSM' }, x509_props: { subject: 'CN=x' } }, /hardware security module/],
    [{ x509_props: { subject: 'CN=x', key_usage: ['digitalsignature'] } }, /key_usage.*digitalsignature/],
    [{ x509_props: { subject: 'CN=x', ekus: ['server-auth'] } }, /ekus.*server-auth/],
    [{ x509_props: { subject: 'CN=x', validity_months: 0 } }, /validity_months/],
    [{ x509_props: { subject: '' } }, /subject or at least one subject alternative name/],
    [{ secret_props: { contentType: 'text/plain' }, x509_props: { subject: 'CN=x' } }, /contentType/],
    // Found by the fuzz suite: these reached CSR building and failed there, as a 500.
    [{ x509_props: { subject: 'CN=x', sans: { dns_names: ['bücher.example'] } } }, /sans\.dns_names.*"bücher\.example" must be printable ASCII.*xn--/],
    [{ x509_props: { subject: 'CN=x', sans: { emails: ['ops@bücher.example'] } } }, /sans\.emails.*printable ASCII/],
    [{ x509_props: { subject: 'CN=x', sans: { uris: ['https://bücher.example/'] } } }, /sans\.uris.*printable ASCII/],
    [{ x509_props: { subject: 'CN=x', sans: { ipAddresses: ['10.0.0.256'] } } }, /sans\.ipAddresses.*"10\.0\.0\.256" is not an IPv4 or IPv6 address/],
  ])('refuses %j', (input, message) => refuse(input, message));

  it('accepts an internationalised name in its xn-- form, and IPv4 and IPv6 addresses', () => {
    const sans = resolvePolicy({ x509_props: { sans: { dns_names: ['xn--bcher-kva.example'], ipAddresses: ['10.0.0.1', '2001:db8::1'] } } }, NOW).sans;
    expect(sans).toMatchObject({ dnsNames: ['xn--bcher-kva.example'], ipAddresses: ['10.0.0.1', '2001:db8::1'] });
  });

  it('allows at most one lifetime action, as the real service does', () => {
    refuse(
      {
        x509_props: { subject: 'CN=x' },
        issuer: { name: 'Self' },
        lifetime_actions: [
          { trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } },
          { trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } },
        ],
      },
      /^At most one action is allowed$/,
    );
  });

  it('refuses AutoRenew for a certificate with issuer Unknown', () => {
    refuse({ x509_props: { subject: 'CN=x' }, lifetime_actions: [{ trigger: { lifetime_percentage: 50 }, action: { action_type: 'AutoRenew' } }] }, /AutoRenew needs an issuer/);
  });

  it('bounds the lifetime triggers', () => {
    refuse({ x509_props: { subject: 'CN=x' }, lifetime_actions: [{ trigger: { lifetime_percentage: 100 }, action: { action_type: 'EmailContacts' } }] }, /1 to 99/);
    refuse(
      { x509_props: { subject: 'CN=x', validity_months: 1 }, lifetime_actions: [{ trigger: { days_before_expiry: 28 }, action: { action_type: 'EmailContacts' } }] },
      /1 to 27/,
    );
    refuse({ x509_props: { subject: 'CN=x' }, lifetime_actions: [{ trigger: {}, action: { action_type: 'EmailContacts' } }] }, /exactly one/);
  });
});
