import type { KeyObject } from 'node:crypto';
import { nobleCurves, onFirstUse } from '../lazy-packages';
import type { EcCurve } from './key-spec';

/**
 * ECDSA over a digest the caller already computed, as Key Vault's `sign`/`verify` take it (Node's crypto
 * only signs messages it hashes itself). Signatures are r||s, each the curve's size (JWS / IEEE P1363).
 * The curve arithmetic is @noble/curves' (audited, constant-time scalar multiplication, hedged RFC 6979 nonces):
 * not something to write by hand.
 */
export const EC_SIGNATURE_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'ES256K'] as const;
export type EcSignatureAlgorithm = (typeof EC_SIGNATURE_ALGORITHMS)[number];

/** Each algorithm goes with one curve, as in JOSE and Key Vault; the digest is that curve's hash size. */
const CURVE_OF: Record<EcSignatureAlgorithm, EcCurve> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521', ES256K: 'P-256K' };
const DIGEST_BYTES: Record<EcSignatureAlgorithm, number> = { ES256: 32, ES384: 48, ES512: 64, ES256K: 32 };

const curves = onFirstUse(() => {
  const { p256, p384, p521, secp256k1 } = nobleCurves();
  return { 'P-256': p256, 'P-384': p384, 'P-521': p521, 'P-256K': secp256k1 } as const satisfies Record<EcCurve, unknown>;
});

/**
 * The digest is signed as given (`prehash: false`); high-S signatures are produced and accepted
 * (`lowS: false`), as Key Vault and OpenSSL do for the NIST curves.
 */
const OPTIONS = { prehash: false, lowS: false } as const;
/** Hedged nonces: RFC 6979 mixed with fresh randomness, so a fault or a weak RNG alone cannot leak the key. */
const SIGN_OPTIONS = { ...OPTIONS, extraEntropy: true } as const;

export function isEcSignatureAlgorithm(alg: string): alg is EcSignatureAlgorithm {
  return (EC_SIGNATURE_ALGORITHMS as readonly string[]).includes(alg);
}

export function ecCurveOf(alg: EcSignatureAlgorithm): EcCurve {
  return CURVE_OF[alg];
}

export function ecDigestLength(alg: EcSignatureAlgorithm): number {
  return DIGEST_BYTES[alg];
}

export function ecdsaSignDigest(privateKey: KeyObject, curve: EcCurve, digest: Buffer): Buffer {
  const d = jwkMember(privateKey, 'd');
  const signature = curves()[curve].sign(digest, d, SIGN_OPTIONS);
  return Buffer.from(signature.toCompactRawBytes());
}

export function ecdsaVerifyDigest(publicKey: KeyObject, curve: EcCurve, digest: Buffer, signature: Buffer): boolean {
  const point = Buffer.concat([Buffer.from([0x04]), jwkMember(publicKey, 'x'), jwkMember(publicKey, 'y')]);
  try {
    return curves()[curve].verify(signature, digest, point, OPTIONS);
  } catch {
    // A signature of the wrong length or out of range is simply not a valid signature.
    return false;
  }
}

function jwkMember(key: KeyObject, member: 'd' | 'x' | 'y'): Buffer {
  const value = key.export({ format: 'jwk' })[member];
  if (!value) throw new Error(`EC key is missing its JWK member ${member}`);
  return Buffer.from(value, 'base64url');
}
