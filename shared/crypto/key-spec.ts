/** The key kinds a certificate policy can ask for, in Key Vault's own vocabulary. */

export type RsaKeySize = 2048 | 3072 | 4096;
export type EcCurve = 'P-256' | 'P-384' | 'P-521' | 'P-256K';
export type KeySpec = { kty: 'RSA'; keySize: RsaKeySize } | { kty: 'EC'; curve: EcCurve };

export const RSA_KEY_SIZES: readonly RsaKeySize[] = [2048, 3072, 4096];
export const EC_CURVES: readonly EcCurve[] = ['P-256', 'P-384', 'P-521', 'P-256K'];

export function isRsaKeySize(value: unknown): value is RsaKeySize {
  return RSA_KEY_SIZES.includes(value as RsaKeySize);
}

/** OpenSSL's names, which Node's crypto uses for `namedCurve` both in and out. */
const OPENSSL_CURVE_NAMES: Record<EcCurve, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  'P-256K': 'secp256k1',
};

export function opensslCurveName(curve: EcCurve): string {
  return OPENSSL_CURVE_NAMES[curve];
}

export function ecCurveFromOpensslName(name: string): EcCurve | undefined {
  return EC_CURVES.find((curve) => OPENSSL_CURVE_NAMES[curve] === name);
}

export function describeKeySpec(spec: KeySpec): string {
  return spec.kty === 'RSA' ? `RSA ${spec.keySize}` : `EC ${spec.curve}`;
}
