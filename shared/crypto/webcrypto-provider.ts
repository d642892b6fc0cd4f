import { createPublicKey } from 'node:crypto';
import { Crypto } from '@peculiar/webcrypto';
import { bufferSource } from './bytes';
import { publicKeyFromPrivate } from './key-pair';
import { describeKeySpec, ecCurveFromOpensslName, type KeySpec } from './key-spec';
import { signingAlgorithmFor } from './signing-algorithm';

/**
 * The WebCrypto implementation used for X.509 work. Node's built-in WebCrypto has no secp256k1, which
 * Key Vault offers as P-256K; @peculiar/webcrypto wraps Node's OpenSSL-backed crypto and does ("K-256").
 */
export const webcrypto: globalThis.Crypto = new Crypto() as unknown as globalThis.Crypto;

/** Imports a stored PKCS#8 key for signing, after checking it is the kind of key the caller says it is. */
export async function importSigningKey(privateKeyPkcs8: Buffer, spec: KeySpec): Promise<CryptoKeyPair> {
  const publicKeySpki = publicKeyFromPrivate(privateKeyPkcs8);
  assertKeyMatchesSpec(publicKeySpki, spec);
  const { importParams } = signingAlgorithmFor(spec);
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('pkcs8', bufferSource(privateKeyPkcs8), importParams, false, ['sign']),
    webcrypto.subtle.importKey('spki', bufferSource(publicKeySpki), importParams, true, ['verify']),
  ]);
  return { privateKey, publicKey };
}

/**
 * A mismatch would otherwise surface as an obscure import failure, or worse a signature over the wrong
 * hash. RSA signers of any size are accepted: an issuer's key need not be one we would generate.
 */
function assertKeyMatchesSpec(publicKeySpki: Buffer, spec: KeySpec): void {
  const key = createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' });
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const matches =
    (spec.kty === 'RSA' && type === 'rsa') ||
    (spec.kty === 'EC' && type === 'ec' && curve !== undefined && ecCurveFromOpensslName(curve) === spec.curve);
  if (!matches) {
    const found = type === 'ec' ? `EC ${curve ?? 'with unnamed curve'}` : (type ?? 'unknown').toUpperCase();
    throw new Error(`Signing key is ${found}, but ${describeKeySpec(spec)} was expected`);
  }
}
