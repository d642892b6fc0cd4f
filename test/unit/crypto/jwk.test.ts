import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { publicJwk } from '../../../shared/crypto/jwk';
import type { KeySpec } from '../../../shared/crypto/key-spec';
import { keyPairFor } from './helpers';

const COORDINATE_BYTES = { 'P-256': 32, 'P-384': 48, 'P-521': 66, 'P-256K': 32 } as const;

describe('publicJwk', () => {
  it('gives RSA keys as n and e in base64url', async () => {
    const pair = await keyPairFor({ kty: 'RSA', keySize: 2048 });
    const jwk = publicJwk(pair.publicKeySpki);

    expect(jwk).toEqual({ kty: 'RSA', n: expect.stringMatching(/^[A-Za-z0-9_-]+$/), e: 'AQAB' });
    if (jwk.kty !== 'RSA') throw new Error('unreachable');
    expect(Buffer.from(jwk.n, 'base64url')).toHaveLength(256);
  });

  it.each(['P-256', 'P-384', 'P-521', 'P-256K'] as const)(
    'gives EC %s keys with the Key Vault curve name, and the JWK is the same key',
    async (curve) => {
      const spec: KeySpec = { kty: 'EC', curve };
      const pair = await keyPairFor(spec);
      const jwk = publicJwk(pair.publicKeySpki);

      expect(jwk).toMatchObject({ kty: 'EC', crv: curve });
      if (jwk.kty !== 'EC') throw new Error('unreachable');
      expect(Buffer.from(jwk.x, 'base64url')).toHaveLength(COORDINATE_BYTES[curve]);
      expect(Buffer.from(jwk.y, 'base64url')).toHaveLength(COORDINATE_BYTES[curve]);

      // Round trip: the JWK (with the standard curve name) is the key we started from.
      const standard = { ...jwk, crv: curve === 'P-256K' ? 'secp256k1' : curve };
      const back = createPublicKey({ key: standard, format: 'jwk' }).export({ format: 'der', type: 'spki' });
      expect(back.equals(pair.publicKeySpki)).toBe(true);
    },
  );

  it('refuses key types Key Vault has no JWK for', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(() => publicJwk(publicKey.export({ format: 'der', type: 'spki' }))).toThrow('ed25519');
  });
});
