import { generateKeyPair } from '../../../shared/crypto/key-pair';
import type { KeySpec } from '../../../shared/crypto/key-spec';
import { normalizeSerialNumber, signCertificate } from '../../../shared/crypto/sign-certificate';
import { bufferSource } from '../../../shared/crypto/bytes';
import { x509 as peculiarX509 } from '../../../shared/crypto/x509';
import {
  EXPECTED_SIGNATURE,
  FAST_SPECS,
  INSIDE_VALIDITY,
  NOT_AFTER,
  NOT_BEFORE,
  OpenSsl,
  derToPem,
  keyPairFor,
  label,
  profile,
} from './helpers';

/** @peculiar/x509 as the app loads it (reflect-metadata first, the P-256K-capable provider set). */
const x509 = peculiarX509();

const openssl = new OpenSsl();
afterAll(() => openssl.cleanup());

const SERVER_PROFILE = profile({
  subject: 'CN=www.fabrikam.com, OU=Web, O=Fabrikam',
  sans: {
    dnsNames: ['www.fabrikam.com', 'fabrikam.com'],
    emails: ['ops@fabrikam.com'],
    upns: ['web@fabrikam.com'],
    uris: [],
    ipAddresses: ['192.0.2.7'],
  },
  ekus: ['1.3.6.1.5.5.7.3.1'],
  keyUsage: ['digitalSignature', 'keyEncipherment'],
});

type SignInput = Parameters<typeof signCertificate>[0];

async function selfSigned(spec: KeySpec, overrides: Partial<SignInput> = {}): Promise<Buffer> {
  const keyPair = await keyPairFor(spec);
  return signCertificate({
    subjectPublicKeySpki: keyPair.publicKeySpki,
    profile: SERVER_PROFILE,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signer: { privateKeyPkcs8: keyPair.privateKeyPkcs8, spec },
    ...overrides,
  });
}

describe('signCertificate, self-signed', () => {
  it.each(FAST_SPECS.map((spec) => [label(spec), spec] as const))(
    '%s: verifies with its own key and OpenSSL reads it with the requested contents',
    async (name, spec) => {
      const der = await selfSigned(spec);
      const cert = new x509.X509Certificate(bufferSource(der));

      expect(await cert.verify({ signatureOnly: true })).toBe(true);
      expect(await cert.isSelfSigned()).toBe(true);

      const text = openssl.certText(der);
      expect(text).toContain('Version: 3 (0x2)');
      expect(text).toContain(`Signature Algorithm: ${EXPECTED_SIGNATURE[name]}`);
      expect(text).toContain('Subject: CN = www.fabrikam.com, OU = Web, O = Fabrikam');
      expect(text).toContain('Issuer: CN = www.fabrikam.com, OU = Web, O = Fabrikam');
      expect(text).toContain(
        'DNS:www.fabrikam.com, DNS:fabrikam.com, email:ops@fabrikam.com, othername: UPN:',
      );
      expect(text).toContain('IP Address:192.0.2.7');
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
      expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication/);
      expect(text).toContain('Not Before: Jan  1 00:00:00 2025 GMT');
      expect(text).toContain('Not After : Jan  1 00:00:00 2027 GMT');

      // A self-signed certificate is its own trust anchor.
      const pem = openssl.file(derToPem('CERTIFICATE', der));
      openssl.run(['verify', '-attime', INSIDE_VALIDITY, '-CAfile', pem, pem]);
    },
  );

  it('identifies its own key as both subject and authority key', async () => {
    const der = await selfSigned({ kty: 'EC', curve: 'P-256' });
    const cert = new x509.X509Certificate(bufferSource(der));
    const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
    const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension);
    expect(ski?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(aki?.keyId).toBe(ski?.keyId);
  });

  it('uses the given serial number, and a random positive 16-byte one otherwise', async () => {
    const spec: KeySpec = { kty: 'EC', curve: 'P-256' };
    const serialOf = async (der: Promise<Buffer>): Promise<string> =>
      new x509.X509Certificate(bufferSource(await der)).serialNumber;
    expect(await serialOf(selfSigned(spec, { serialNumber: '0A1B2C' }))).toBe('0a1b2c');
    // A high first bit gets a pad byte in DER, not a negative serial.
    const padded = openssl.certText(await selfSigned(spec, { serialNumber: 'ff01' }));
    expect(padded).toMatch(/Serial Number: 65281 \(0xff01\)/);

    const serials = await Promise.all([1, 2, 3].map(() => serialOf(selfSigned(spec))));
    for (const serial of serials) expect(serial).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(new Set(serials).size).toBe(3);
  });

  it('rejects unusable serial numbers and validity windows', async () => {
    expect(() => normalizeSerialNumber('xyz')).toThrow('not hexadecimal');
    expect(() => normalizeSerialNumber('000')).toThrow('positive');
    expect(() => normalizeSerialNumber('ff'.repeat(20))).toThrow('20 octets');
    expect(normalizeSerialNumber('7f'.repeat(20))).toBe('7f'.repeat(20));
    await expect(selfSigned({ kty: 'EC', curve: 'P-256' }, { notAfter: NOT_BEFORE })).rejects.toThrow('notAfter');
  });

  it('encodes dates from 2050 on as GeneralizedTime, which OpenSSL reads back', async () => {
    const der = await selfSigned({ kty: 'EC', curve: 'P-256' }, { notAfter: new Date('2051-06-30T12:00:00Z') });
    expect(openssl.certText(der)).toContain('Not After : Jun 30 12:00:00 2051 GMT');
  });
});

describe('signCertificate, CA-signed', () => {
  it('issues a leaf that chains to its CA through an intermediate, across key types', async () => {
    const rootSpec: KeySpec = { kty: 'EC', curve: 'P-384' };
    const intermediateSpec: KeySpec = { kty: 'RSA', keySize: 2048 };
    const leafSpec: KeySpec = { kty: 'EC', curve: 'P-256K' };
    const [rootKey, intermediateKey, leafKey] = await Promise.all([
      keyPairFor(rootSpec),
      keyPairFor(intermediateSpec),
      keyPairFor(leafSpec),
    ]);
    const common = { notBefore: NOT_BEFORE, notAfter: NOT_AFTER };

    const root = await signCertificate({
      ...common,
      subjectPublicKeySpki: rootKey.publicKeySpki,
      profile: profile({ subject: 'CN=Test Root CA, O=Test' }),
      signer: { privateKeyPkcs8: rootKey.privateKeyPkcs8, spec: rootSpec },
      isCa: true,
    });
    const intermediate = await signCertificate({
      ...common,
      subjectPublicKeySpki: intermediateKey.publicKeySpki,
      profile: profile({ subject: 'CN=Test Issuing CA, O=Test' }),
      signer: { privateKeyPkcs8: rootKey.privateKeyPkcs8, spec: rootSpec, certificateDer: root },
      isCa: true,
    });
    const leaf = await signCertificate({
      ...common,
      subjectPublicKeySpki: leafKey.publicKeySpki,
      profile: SERVER_PROFILE,
      signer: { privateKeyPkcs8: intermediateKey.privateKeyPkcs8, spec: intermediateSpec, certificateDer: intermediate },
    });

    const rootText = openssl.certText(root);
    expect(rootText).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(rootText).toMatch(/Certificate Sign, CRL Sign/);

    const leafCert = new x509.X509Certificate(bufferSource(leaf));
    const intermediateCert = new x509.X509Certificate(bufferSource(intermediate));
    expect(leafCert.issuer).toBe('CN=Test Issuing CA, O=Test');
    const issuerBytes = Buffer.from(leafCert.issuerName.toArrayBuffer());
    expect(issuerBytes).toEqual(Buffer.from(intermediateCert.subjectName.toArrayBuffer()));
    expect(leafCert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      intermediateCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    expect(await leafCert.verify({ publicKey: intermediateCert.publicKey, signatureOnly: true })).toBe(true);
    expect(openssl.certText(leaf)).toContain('Signature Algorithm: sha256WithRSAEncryption');

    const output = openssl.run([
      'verify',
      '-attime',
      INSIDE_VALIDITY,
      '-CAfile',
      openssl.file(derToPem('CERTIFICATE', root)),
      '-untrusted',
      openssl.file(derToPem('CERTIFICATE', intermediate)),
      '-purpose',
      'sslserver',
      openssl.file(derToPem('CERTIFICATE', leaf)),
    ]);
    expect(output.trim()).toMatch(/: OK$/);
  });

  it("refuses a signer whose private key does not match the signer's certificate", async () => {
    const caSpec: KeySpec = { kty: 'EC', curve: 'P-256' };
    const caKey = await keyPairFor(caSpec);
    const ca = await signCertificate({
      subjectPublicKeySpki: caKey.publicKeySpki,
      profile: profile({ subject: 'CN=CA' }),
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      signer: { privateKeyPkcs8: caKey.privateKeyPkcs8, spec: caSpec },
      isCa: true,
    });
    const otherKey = await generateKeyPair(caSpec);
    await expect(
      signCertificate({
        subjectPublicKeySpki: otherKey.publicKeySpki,
        profile: profile(),
        notBefore: NOT_BEFORE,
        notAfter: NOT_AFTER,
        signer: { privateKeyPkcs8: otherKey.privateKeyPkcs8, spec: caSpec, certificateDer: ca },
      }),
    ).rejects.toThrow("does not belong to the signer's certificate");
  });
});
