import { createCsr } from '../../../shared/crypto/csr';
import { CertificateProfileError } from '../../../shared/crypto/certificate-profile';
import { bufferSource } from '../../../shared/crypto/bytes';
import { type X509, x509 as peculiarX509 } from '../../../shared/crypto/x509';
import { EXPECTED_SIGNATURE, FAST_SPECS, OpenSsl, keyPairFor, label, profile } from './helpers';

/** @peculiar/x509 as the app loads it (reflect-metadata first, the P-256K-capable provider set). */
const x509 = peculiarX509();

const openssl = new OpenSsl();
afterAll(() => openssl.cleanup());

const FULL_PROFILE = profile({
  subject: 'CN=api.contoso.com, O=Contoso Ltd, C=US',
  sans: {
    dnsNames: ['api.contoso.com', '*.api.contoso.com'],
    emails: ['admin@contoso.com'],
    upns: ['svc@contoso.com'],
    uris: ['https://contoso.com/id'],
    ipAddresses: ['10.1.2.3', '2001:db8::1'],
  },
  ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
  keyUsage: ['digitalSignature', 'keyEncipherment'],
});

describe('createCsr', () => {
  it.each(FAST_SPECS.map((spec) => [label(spec), spec] as const))(
    '%s: the CSR is signed by the key and names it',
    async (_, spec) => {
      const keyPair = await keyPairFor(spec);
      const der = await createCsr(keyPair, spec, FULL_PROFILE);
      const csr = new x509.Pkcs10CertificateRequest(bufferSource(der));

      expect(await csr.verify()).toBe(true);
      expect(Buffer.from(csr.publicKey.rawData).equals(keyPair.publicKeySpki)).toBe(true);
      // OpenSSL agrees independently of the library that wrote it (it exits non-zero otherwise).
      const file = openssl.file(der);
      openssl.run(['req', '-inform', 'DER', '-in', file, '-noout', '-verify']);
      const text = openssl.run(['req', '-inform', 'DER', '-in', file, '-noout', '-text']);
      expect(text).toContain(`Signature Algorithm: ${EXPECTED_SIGNATURE[label(spec)]}`);
    },
  );

  it('carries the requested subject, SANs, EKUs and key usages in an extensionRequest', async () => {
    const spec = { kty: 'EC', curve: 'P-256' } as const;
    const der = await createCsr(await keyPairFor(spec), spec, FULL_PROFILE);
    const csr = new x509.Pkcs10CertificateRequest(bufferSource(der));

    expect(csr.subject).toBe('CN=api.contoso.com, O=Contoso Ltd, C=US');
    const san = csr.getExtension('2.5.29.17') as X509.Extension;
    expect(new x509.SubjectAlternativeNameExtension(san.rawData).names.toJSON()).toEqual([
      { type: 'dns', value: 'api.contoso.com' },
      { type: 'dns', value: '*.api.contoso.com' },
      { type: 'email', value: 'admin@contoso.com' },
      { type: 'upn', value: 'svc@contoso.com' },
      { type: 'url', value: 'https://contoso.com/id' },
      { type: 'ip', value: '10.1.2.3' },
      { type: 'ip', value: '2001:db8::1' },
    ]);
    const eku = new x509.ExtendedKeyUsageExtension((csr.getExtension('2.5.29.37') as X509.Extension).rawData);
    expect(eku.usages).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    const ku = new x509.KeyUsagesExtension((csr.getExtension('2.5.29.15') as X509.Extension).rawData);
    expect(ku.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);

    const text = openssl.run(['req', '-inform', 'DER', '-in', openssl.file(der), '-noout', '-text']);
    expect(text).toContain('Requested Extensions');
    expect(text).toMatch(/othername: UPN:+svc@contoso.com/);
    expect(text).toContain('IP Address:2001:DB8:0:0:0:0:0:1');
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(text).toContain('Digital Signature, Key Encipherment');
  });

  it('accepts lower-case attribute names', async () => {
    const spec = { kty: 'EC', curve: 'P-256' } as const;
    const der = await createCsr(await keyPairFor(spec), spec, profile({ subject: 'cn=lower.example, o=Acme' }));
    expect(new x509.Pkcs10CertificateRequest(bufferSource(der)).subject).toBe('CN=lower.example, O=Acme');
  });

  it('works with an empty subject when SANs carry the identity, marking the SAN critical', async () => {
    const spec = { kty: 'RSA', keySize: 2048 } as const;
    const sans = { dnsNames: ['only-san.example'], emails: [], upns: [], uris: [], ipAddresses: [] };
    const der = await createCsr(await keyPairFor(spec), spec, profile({ subject: '', sans }));
    const csr = new x509.Pkcs10CertificateRequest(bufferSource(der));

    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toBe('');
    expect(csr.getExtension('2.5.29.17')?.critical).toBe(true);
  });

  it('requests no extensions when the profile asks for none', async () => {
    const spec = { kty: 'EC', curve: 'P-384' } as const;
    const der = await createCsr(await keyPairFor(spec), spec, profile());
    const csr = new x509.Pkcs10CertificateRequest(bufferSource(der));
    expect(csr.extensions).toEqual([]);
    expect(csr.attributes).toEqual([]);
  });

  it('requests CA:true with its path length and name constraints when the profile is a CA, so an outside CA sees what is asked', async () => {
    const spec = { kty: 'EC', curve: 'P-256' } as const;
    const ca = { pathLength: 1, permittedDnsDomains: ['corp.example.com'], excludedDnsDomains: [] };
    const der = await createCsr(await keyPairFor(spec), spec, profile({ subject: 'CN=Corp CA', keyUsage: ['keyCertSign', 'cRLSign'], ca }));
    const text = openssl.run(['req', '-inform', 'DER', '-in', openssl.file(der), '-noout', '-text']);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:1/);
    expect(text).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:corp.example.com/);
  });

  it.each([
    ['a malformed subject', profile({ subject: 'CN' })],
    ['an unknown subject attribute', profile({ subject: 'XYZ=1' })],
    ['a bad IP address', profile({ sans: { dnsNames: [], emails: [], upns: [], uris: [], ipAddresses: ['10.0.0'] } })],
    ['a non-OID EKU', profile({ ekus: ['serverAuth'] })],
  ])('rejects %s with a CertificateProfileError', async (_, bad) => {
    const spec = { kty: 'EC', curve: 'P-256' } as const;
    await expect(createCsr(await keyPairFor(spec), spec, bad)).rejects.toBeInstanceOf(CertificateProfileError);
  });

  it('refuses a key that is not of the stated spec', async () => {
    const keyPair = await keyPairFor({ kty: 'EC', curve: 'P-256' });
    await expect(createCsr(keyPair, { kty: 'EC', curve: 'P-384' }, profile())).rejects.toThrow(
      'Signing key is EC prime256v1, but EC P-384 was expected',
    );
  });
});
