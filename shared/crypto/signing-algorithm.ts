import type { EcCurve, KeySpec } from './key-spec';

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** How a key of a given spec is imported into WebCrypto and which signature it makes. */
export interface SigningAlgorithm {
  importParams: RsaHashedImportParams | EcKeyImportParams;
  signParams: Algorithm | EcdsaParams;
  hash: HashName;
}

/** WebCrypto curve names; secp256k1 is "K-256" in @peculiar/webcrypto (Node's own WebCrypto lacks it). */
const WEBCRYPTO_CURVES: Record<EcCurve, string> = {
  'P-256': 'P-256',
  'P-384': 'P-384',
  'P-521': 'P-521',
  'P-256K': 'K-256',
};

/**
 * The hash follows the curve size, as Key Vault and most CAs do (ES256/ES384/ES512); RSA is always
 * PKCS#1 v1.5 with SHA-256 (RS256), which every client verifies.
 */
const EC_HASHES: Record<EcCurve, HashName> = {
  'P-256': 'SHA-256',
  'P-384': 'SHA-384',
  'P-521': 'SHA-512',
  'P-256K': 'SHA-256',
};

function webcryptoCurveName(curve: EcCurve): string {
  return WEBCRYPTO_CURVES[curve];
}

export function signingAlgorithmFor(spec: KeySpec): SigningAlgorithm {
  if (spec.kty === 'RSA') {
    const hash: HashName = 'SHA-256';
    return {
      importParams: { name: 'RSASSA-PKCS1-v1_5', hash },
      signParams: { name: 'RSASSA-PKCS1-v1_5' },
      hash,
    };
  }
  const hash = EC_HASHES[spec.curve];
  return {
    importParams: { name: 'ECDSA', namedCurve: webcryptoCurveName(spec.curve) },
    signParams: { name: 'ECDSA', hash } satisfies EcdsaParams,
    hash,
  };
}
