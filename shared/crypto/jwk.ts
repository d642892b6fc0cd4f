import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { ecCurveFromOpensslName, type EcCurve } from './key-spec';

export type PublicJwk = { kty: 'RSA'; n: string; e: string } | { kty: 'EC'; crv: EcCurve; x: string; y: string };

/** Node's JWK export names curves per RFC 7518 / draft-ietf-cose (`secp256k1`); Key Vault says `P-256K`. */
const JWK_CURVES: Record<string, EcCurve> = {
  'P-256': 'P-256',
  'P-384': 'P-384',
  'P-521': 'P-521',
  secp256k1: 'P-256K',
};

/** The public key in Key Vault's JWK shape (base64url members), for the `key` a certificate exposes. */
export function publicJwk(spki: Buffer): PublicJwk {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const jwk: JsonWebKey = key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA' && jwk.n && jwk.e) return { kty: 'RSA', n: jwk.n, e: jwk.e };
  if (jwk.kty === 'EC' && jwk.x && jwk.y && jwk.crv) {
    const crv = JWK_CURVES[jwk.crv] ?? ecCurveFromOpensslName(jwk.crv);
    if (crv) return { kty: 'EC', crv, x: jwk.x, y: jwk.y };
  }
  throw new Error(`Public key type ${key.asymmetricKeyType ?? 'unknown'} has no Key Vault JWK form`);
}
