import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { KeySpec } from '../../../shared/crypto/key-spec';
import { encodePkcs12 } from '../../../shared/crypto/pkcs12';
import { buildPem, buildPfx } from '../../../shared/crypto/secret-encoding';
import { signCertificate } from '../../../shared/crypto/sign-certificate';
import { NOT_AFTER, NOT_BEFORE, OpenSsl, keyPairFor, label, profile } from './helpers';

const openssl = new OpenSsl();
afterAll(() => openssl.cleanup());

interface Material {
  privateKeyPkcs8: Buffer;
  leaf: Buffer;
  ca: Buffer;
}

/** A leaf of `spec` issued by an EC CA, so the PFX holds a real two-certificate chain. */
async function material(spec: KeySpec): Promise<Material> {
  const caSpec: KeySpec = { kty: 'EC', curve: 'P-384' };
  const [caKey, leafKey] = await Promise.all([keyPairFor(caSpec), keyPairFor(spec)]);
  const dates = { notBefore: NOT_BEFORE, notAfter: NOT_AFTER };
  const ca = await signCertificate({
    ...dates,
    subjectPublicKeySpki: caKey.publicKeySpki,
    profile: profile({ subject: 'CN=PFX Test CA' }),
    signer: { privateKeyPkcs8: caKey.privateKeyPkcs8, spec: caSpec },
    isCa: true,
  });
  const leaf = await signCertificate({
    ...dates,
    subjectPublicKeySpki: leafKey.publicKeySpki,
    profile: profile({ subject: 'CN=pfx.example' }),
    signer: { privateKeyPkcs8: caKey.privateKeyPkcs8, spec: caSpec, certificateDer: ca },
  });
  return { privateKeyPkcs8: leafKey.privateKeyPkcs8, leaf, ca };
}

/** The PEM blocks of one kind in `openssl pkcs12 ... -nodes` output, in order. */
function blocks(text: string, kind: string): string[] {
  return text.match(new RegExp(`-----BEGIN ${kind}-----[\\s\\S]*?-----END ${kind}-----\\n`, 'g')) ?? [];
}

function spkiOfPem(pem: string, kind: 'key' | 'cert'): Buffer {
  const key = kind === 'key' ? createPublicKey(createPrivateKey(pem)) : new X509Certificate(pem).publicKey;
  return key.export({ format: 'der', type: 'spki' });
}

describe('buildPfx', () => {
  const SPECS: KeySpec[] = [
    { kty: 'RSA', keySize: 2048 },
    { kty: 'EC', curve: 'P-256' },
    { kty: 'EC', curve: 'P-521' },
  ];

  it.each(SPECS.map((spec) => [label(spec), spec] as const))(
    '%s: OpenSSL opens it with an empty password; the key matches the leaf, which comes first',
    async (_, spec) => {
      const { privateKeyPkcs8, leaf, ca } = await material(spec);
      const pfx = await buildPfx({ privateKeyPkcs8, certificatesDer: [leaf, ca] });
      const file = openssl.file(pfx);

      const text = openssl.run(['pkcs12', '-in', file, '-passin', 'pass:', '-nodes']);
      const [key] = blocks(text, 'PRIVATE KEY');
      const certs = blocks(text, 'CERTIFICATE');
      expect(key).toBeDefined();
      expect(certs).toHaveLength(2);
      expect(new X509Certificate(certs[0] as string).subject).toBe('CN=pfx.example');
      expect(spkiOfPem(key as string, 'key').equals(spkiOfPem(certs[0] as string, 'cert'))).toBe(true);

      // The formats are the modern ones, and key and leaf are paired by one localKeyId.
      const info = openssl.runReporting(['pkcs12', '-in', file, '-passin', 'pass:', '-info', '-noout']);
      expect(info).toContain('MAC: sha256, Iteration 2048');
      expect(info).toContain('Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256');
      const ids = [...text.matchAll(/localKeyID: ([0-9A-F ]+)/g)].map((m) => m[1]);
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(ids[1]);
    },
  );

  it.each(SPECS.map((spec) => [label(spec), spec] as const))(
    '%s: Node TLS accepts it as a server identity with passphrase ""',
    async (_, spec) => {
      const { privateKeyPkcs8, leaf, ca } = await material(spec);
      const pfx = await buildPfx({ privateKeyPkcs8, certificatesDer: [leaf, ca] });
      expect(() => createSecureContext({ pfx, passphrase: '' })).not.toThrow();
    },
  );

  it('carries a MAC that OpenSSL actually checks', async () => {
    const { privateKeyPkcs8, leaf } = await material({ kty: 'EC', curve: 'P-256' });
    const pfx = await buildPfx({ privateKeyPkcs8, certificatesDer: [leaf] });
    // The MAC sits near the end: flip a bit inside the authenticated content instead.
    const tampered = Buffer.from(pfx);
    const at = tampered.indexOf(leaf) + 100;
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    expect(() => openssl.run(['pkcs12', '-in', openssl.file(tampered), '-passin', 'pass:', '-nodes'])).toThrow(
      /mac verify error/i,
    );
  });

  it('omits the key bag when there is no private key', async () => {
    const { leaf, ca } = await material({ kty: 'EC', curve: 'P-256' });
    const pfx = await buildPfx({ certificatesDer: [leaf, ca] });

    const text = openssl.run(['pkcs12', '-in', openssl.file(pfx), '-passin', 'pass:', '-nodes']);
    expect(blocks(text, 'PRIVATE KEY')).toHaveLength(0);
    expect(blocks(text, 'CERTIFICATE')).toHaveLength(2);
  });

  it('needs at least one certificate', async () => {
    await expect(buildPfx({ certificatesDer: [] })).rejects.toThrow('at least one certificate');
  });

  it('also works with a real password (the KDF handles non-empty passwords)', async () => {
    const { privateKeyPkcs8, leaf } = await material({ kty: 'EC', curve: 'P-256K' });
    const pfx = encodePkcs12({ privateKeyPkcs8, certificatesDer: [leaf], password: 'Pässwörd-123' });
    const file = openssl.file(pfx);

    const text = openssl.run(['pkcs12', '-in', file, '-passin', 'pass:Pässwörd-123', '-nodes']);
    expect(blocks(text, 'PRIVATE KEY')).toHaveLength(1);
    expect(() => openssl.run(['pkcs12', '-in', file, '-passin', 'pass:wrong', '-nodes'])).toThrow(/mac verify error/i);
  });
});

describe('buildPem', () => {
  it('writes the PKCS#8 key, then each certificate leaf first, as 64-column blocks', async () => {
    const { privateKeyPkcs8, leaf, ca } = await material({ kty: 'RSA', keySize: 2048 });
    const pem = buildPem({ privateKeyPkcs8, certificatesDer: [leaf, ca] });

    const labels = [...pem.matchAll(/-----BEGIN ([A-Z ]+)-----/g)].map((m) => m[1]);
    expect(labels).toEqual(['PRIVATE KEY', 'CERTIFICATE', 'CERTIFICATE']);
    expect(pem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    expect(pem).toMatch(/-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n/);
    for (const line of pem.split('\n').filter((l) => !l.startsWith('-----') && l !== '')) {
      expect(line.length).toBeLessThanOrEqual(64);
    }

    // Standard readers take it as is: the key, the leaf, and OpenSSL on the whole file.
    expect(spkiOfPem(pem, 'key').equals(spkiOfPem(pem, 'cert'))).toBe(true);
    expect(new X509Certificate(pem).subject).toBe('CN=pfx.example');
    expect(() => createSecureContext({ key: pem, cert: pem })).not.toThrow();
    expect(openssl.run(['pkey', '-in', openssl.file(pem), '-noout', '-text'])).toContain('Private-Key: (2048 bit');
  });

  it('writes only certificates when there is no key', async () => {
    const { leaf } = await material({ kty: 'EC', curve: 'P-256' });
    const pem = buildPem({ certificatesDer: [leaf] });
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    expect(Buffer.from(pem.replace(/-----[A-Z ]+-----|\n/g, ''), 'base64').equals(leaf)).toBe(true);
  });
});
