import { parseBody } from '../../../shared/api/parse-body';
import { createCertificateSchema } from '../../../shared/api/schemas/request-bodies.schema';
import { policyToWire } from '../../../shared/api/wire/policy.wire';
import { canonicalSpelling } from '../../../shared/domain/canonical-spelling';
import { KEY_USAGES, isReservedIssuer } from '../../../shared/domain/certificate-policy';
import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import { ValidationError } from '../../../shared/domain/validation-error';

/**
 * Key Vault reads its enumerations in any case and shows them in one spelling; the SDKs rely on it (.NET
 * sends `crlSign`, JS and Python `cRLSign`). What a caller sends goes through the wire schema and the domain,
 * and comes back as the policy on the wire.
 */
const NOW = 1_700_000_000;

function echoedPolicy(policy: unknown): Record<string, Record<string, unknown>> {
  const body = parseBody(createCertificateSchema, JSON.stringify({ policy }));
  return policyToWire('https://vault.example', 'c1', resolvePolicy(body.policy ?? undefined, NOW)) as Record<string, Record<string, unknown>>;
}

describe('enumerated policy members in any case', () => {
  it('accepts the policy .NET sends (crlSign) and shows the key usage as Key Vault spells it (cRLSign)', () => {
    // CertificatePolicy { KeyUsage = { CertificateKeyUsage.CrlSign, DigitalSignature } } as .NET 4.10 serializes it.
    const wire = echoedPolicy({
      key_props: { kty: 'RSA', key_size: 2048, reuse_key: false, exportable: true },
      secret_props: { contentType: 'application/x-pkcs12' },
      x509_props: { subject: 'CN=net', key_usage: ['crlSign', 'digitalSignature'], validity_months: 12 },
      issuer: { name: 'Self' },
    });
    expect(wire.x509_props?.key_usage).toEqual(['cRLSign', 'digitalSignature']);
  });

  it('shows every key usage, key type, curve, content type, action and reserved issuer in its canonical spelling', () => {
    const wire = echoedPolicy({
      key_props: { kty: 'ec', crv: 'p-384' },
      secret_props: { contentType: 'APPLICATION/X-PEM-FILE' },
      x509_props: { subject: 'CN=x', key_usage: KEY_USAGES.map((u) => u.toUpperCase()) },
      lifetime_actions: [{ trigger: { lifetime_percentage: 50 }, action: { action_type: 'autorenew' } }],
      issuer: { name: 'SELF' },
    });
    expect(wire.key_props).toMatchObject({ kty: 'EC', crv: 'P-384' });
    expect(wire.secret_props).toEqual({ contentType: 'application/x-pem-file' });
    expect(wire.x509_props?.key_usage).toEqual([...KEY_USAGES]);
    expect(wire.lifetime_actions).toEqual([{ trigger: { lifetime_percentage: 50 }, action: { action_type: 'AutoRenew' } }]);
    expect(wire.issuer).toEqual({ name: 'Self' });

    const rsa = echoedPolicy({ key_props: { kty: 'rsa' }, x509_props: { subject: 'CN=x' }, issuer: { name: 'unknown' } });
    expect(rsa.key_props).toMatchObject({ kty: 'RSA', key_size: 2048 });
    expect(rsa.issuer).toEqual({ name: 'Unknown' });
    expect(rsa.lifetime_actions).toEqual([{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }]);

    const p256k = echoedPolicy({ key_props: { crv: 'p-256k' }, x509_props: { subject: 'CN=x' } });
    expect(p256k.key_props).toMatchObject({ kty: 'EC', crv: 'P-256K' });
  });

  it('names an HSM key type in any case as the HSM type it is', () => {
    expect(() => echoedPolicy({ key_props: { kty: 'rsa-hsm' }, x509_props: { subject: 'CN=x' } })).toThrow(/RSA-HSM keys need a hardware security module/);
  });

  it('still refuses what is not a spelling of an allowed value, naming the allowed ones', () => {
    const refusal = (policy: unknown) => {
      try {
        echoedPolicy(policy);
      } catch (error) {
        return error instanceof ValidationError ? error.message : String(error);
      }
      throw new Error('accepted');
    };
    expect(refusal({ x509_props: { subject: 'CN=x', key_usage: ['crl_sign'] } })).toMatch(/"crl_sign" not among digitalSignature, .*cRLSign/);
    expect(refusal({ key_props: { kty: 'EC', crv: 'P256' }, x509_props: { subject: 'CN=x' } })).toMatch(/"P256" is not supported; use P-256/);
    expect(refusal({ secret_props: { contentType: 'application/pkcs12' }, x509_props: { subject: 'CN=x' } })).toMatch(/must be application\/x-pkcs12/);
  });

  it('keeps other issuer names as sent: they name issuer objects', () => {
    expect(echoedPolicy({ x509_props: { subject: 'CN=x' }, issuer: { name: 'MyDigiCert' } }).issuer).toEqual({ name: 'MyDigiCert' });
  });

  it('keeps a non-string where a string belongs a type error the caller is told about', () => {
    expect(() => parseBody(createCertificateSchema, JSON.stringify({ policy: { key_props: { kty: 7 } } }))).toThrow(/policy\.key_props\.kty/);
  });
});

describe('canonicalSpelling', () => {
  it('matches whole values, in any case, and nothing else', () => {
    expect(canonicalSpelling('CRLSIGN', KEY_USAGES)).toBe('cRLSign');
    expect(canonicalSpelling('crlSign ', KEY_USAGES)).toBeUndefined();
    expect(canonicalSpelling('Sign', KEY_USAGES)).toBeUndefined();
  });

  it('reserves Self and Unknown in every case, so neither can name an issuer object', () => {
    for (const name of ['Self', 'self', 'SELF', 'Unknown', 'unknown']) expect(isReservedIssuer(name)).toBe(true);
    expect(isReservedIssuer('Selfish')).toBe(false);
  });
});
