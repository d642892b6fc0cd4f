import { constants, createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { ecdsaSignDigest, ecdsaVerifyDigest, ecCurveOf, type EcSignatureAlgorithm } from '../../../shared/crypto/ecdsa-digest-signature';
import { opensslCurveName } from '../../../shared/crypto/key-spec';
import { rsaSignDigest, rsaVerifyDigest, type RsaSignatureAlgorithm } from '../../../shared/crypto/rsa-digest-signature';

/** Node's crypto, which hashes the message itself, is the independent checker of signatures made over its digest. */
const message = Buffer.from('the message the caller hashed');
const hashOf = (bits: string) => `sha${bits}`;

function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe('RSA signatures over a digest', () => {
  // 2050 bits: the modulus is not a whole number of bytes, which PSS's encoding must allow for.
  const keys = [2048, 2050].map((modulusLength) => ({ modulusLength, ...generateKeyPairSync('rsa', { modulusLength }) }));
  const cases = keys.flatMap((k) =>
    (['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as RsaSignatureAlgorithm[]).map((alg) => [k.modulusLength, alg, k] as const),
  );

  it.each(cases)('%i-bit %s: Node verifies our signature, and we verify Node’s', (_bits, alg, { privateKey, publicKey }) => {
    const hash = hashOf(alg.slice(2));
    const digest = createHash(hash).update(message).digest();
    const padding = alg.startsWith('PS') ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digest.length } : {};

    const ours = rsaSignDigest(privateKey, alg, digest);
    expect(verify(hash, message, { key: publicKey, ...padding }, ours)).toBe(true);

    const nodes = sign(hash, message, { key: privateKey, ...padding });
    expect(rsaVerifyDigest(publicKey, alg, digest, nodes)).toBe(true);
    expect(rsaVerifyDigest(publicKey, alg, digest, flipByte(nodes, 10))).toBe(false);
    expect(rsaVerifyDigest(publicKey, alg, flipByte(digest, 0), nodes)).toBe(false);
  });

  it('does not accept a PKCS#1 v1.5 signature as PSS, or the reverse', () => {
    const { privateKey, publicKey } = keys[0]!;
    const digest = createHash('sha256').update(message).digest();
    expect(rsaVerifyDigest(publicKey, 'PS256', digest, rsaSignDigest(privateKey, 'RS256', digest))).toBe(false);
    expect(rsaVerifyDigest(publicKey, 'RS256', digest, rsaSignDigest(privateKey, 'PS256', digest))).toBe(false);
  });
});

describe('ECDSA signatures over a digest', () => {
  it.each(['ES256', 'ES384', 'ES512', 'ES256K'] as EcSignatureAlgorithm[])('%s: Node verifies ours, and we verify Node’s', (alg) => {
    const curve = ecCurveOf(alg);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: opensslCurveName(curve) });
    const hash = alg === 'ES384' ? 'sha384' : alg === 'ES512' ? 'sha512' : 'sha256';
    const digest = createHash(hash).update(message).digest();

    const ours = ecdsaSignDigest(privateKey, curve, digest);
    expect(verify(hash, message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, ours)).toBe(true);

    const nodes = sign(hash, message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(ecdsaVerifyDigest(publicKey, curve, digest, nodes)).toBe(true);
    expect(ecdsaVerifyDigest(publicKey, curve, digest, flipByte(nodes, 3))).toBe(false);
    expect(ecdsaVerifyDigest(publicKey, curve, flipByte(digest, 0), nodes)).toBe(false);
    expect(ecdsaVerifyDigest(publicKey, curve, digest, nodes.subarray(1))).toBe(false);
  });

  it('signs with a fresh nonce each time (two signatures of one digest differ, both valid)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const digest = createHash('sha256').update(message).digest();
    const [a, b] = [ecdsaSignDigest(privateKey, 'P-256', digest), ecdsaSignDigest(privateKey, 'P-256', digest)];
    expect(a.equals(b)).toBe(false);
    expect([a, b].every((s) => verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, s))).toBe(true);
  });
});
