import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { createCsr } from '../../../shared/crypto/csr';
import { generateKeyPair, keySpecOfPublicKey, publicKeyFromPrivate } from '../../../shared/crypto/key-pair';
import { signCertificate } from '../../../shared/crypto/sign-certificate';
import { bufferSource } from '../../../shared/crypto/bytes';
import { x509 as peculiarX509 } from '../../../shared/crypto/x509';
import { FAST_SPECS, NOT_AFTER, NOT_BEFORE, OpenSsl, RSA_4096, label, profile } from './helpers';

/** @peculiar/x509 as the app loads it (reflect-metadata first, the P-256K-capable provider set). */
const x509 = peculiarX509();

const openssl = new OpenSsl();
afterAll(() => openssl.cleanup());

const OPENSSL_DESCRIPTION: Record<string, RegExp> = {
  'RSA 2048': /Private-Key: \(2048 bit, 2 primes\)/,
  'RSA 3072': /Private-Key: \(3072 bit, 2 primes\)/,
  'EC P-256': /ASN1 OID: prime256v1/,
  'EC P-384': /ASN1 OID: secp384r1/,
  'EC P-521': /ASN1 OID: secp521r1/,
  'EC P-256K': /ASN1 OID: secp256k1/,
};

describe('generateKeyPair', () => {
  it.each(FAST_SPECS.map((spec) => [label(spec), spec] as const))(
    '%s: generates a matching PKCS#8/SPKI pair of the requested kind',
    async (name, spec) => {
      const pair = await generateKeyPair(spec);

      expect(publicKeyFromPrivate(pair.privateKeyPkcs8).equals(pair.publicKeySpki)).toBe(true);
      expect(keySpecOfPublicKey(pair.publicKeySpki)).toEqual(spec);
      const text = openssl.run(['pkey', '-inform', 'DER', '-in', openssl.file(pair.privateKeyPkcs8), '-noout', '-text']);
      expect(text).toMatch(OPENSSL_DESCRIPTION[name] as RegExp);
    },
  );

  it('does not block the event loop while generating', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 0);
    try {
      await generateKeyPair({ kty: 'RSA', keySize: 3072 });
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it('RSA 4096: generates, requests and self-signs end to end', async () => {
    const pair = await generateKeyPair(RSA_4096);
    expect(keySpecOfPublicKey(pair.publicKeySpki)).toEqual(RSA_4096);

    const csr = new x509.Pkcs10CertificateRequest(bufferSource(await createCsr(pair, RSA_4096, profile())));
    expect(await csr.verify()).toBe(true);

    const der = await signCertificate({
      subjectPublicKeySpki: pair.publicKeySpki,
      profile: profile(),
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      signer: { privateKeyPkcs8: pair.privateKeyPkcs8, spec: RSA_4096 },
    });
    const text = openssl.certText(der);
    expect(text).toContain('Public-Key: (4096 bit)');
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(await new x509.X509Certificate(bufferSource(der)).verify({ signatureOnly: true })).toBe(true);
  });
});

describe('keySpecOfPublicKey', () => {
  const spkiOf = (pair: { publicKey: { export(o: { format: 'der'; type: 'spki' }): Buffer } }): Buffer =>
    pair.publicKey.export({ format: 'der', type: 'spki' });

  it('has no Key Vault name for keys Key Vault does not offer', () => {
    expect(keySpecOfPublicKey(spkiOf(generateKeyPairSync('rsa', { modulusLength: 1024 })))).toBeUndefined();
    expect(keySpecOfPublicKey(spkiOf(generateKeyPairSync('ed25519')))).toBeUndefined();
    expect(keySpecOfPublicKey(spkiOf(generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' })))).toBeUndefined();
  });

  it('returns undefined for bytes that are not a public key', () => {
    expect(keySpecOfPublicKey(Buffer.from('not a key'))).toBeUndefined();
  });
});

describe('publicKeyFromPrivate', () => {
  it('rejects bytes that are not a PKCS#8 key', () => {
    expect(() => publicKeyFromPrivate(Buffer.from([0x30, 0x00]))).toThrow();
  });

  it('derives the same public key as Node does', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(publicKeyFromPrivate(pkcs8)).toEqual(publicKey.export({ format: 'der', type: 'spki' }));
    expect(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('ec');
  });
});
