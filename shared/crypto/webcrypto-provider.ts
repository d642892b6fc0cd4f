import { createPublicKey, webcrypto as nodeWebcrypto } from 'node:crypto';
import { Crypto } from '@peculiar/webcrypto';
import { bufferSource } from './bytes';
import { publicKeyFromPrivate } from './key-pair';
import { describeKeySpec, ecCurveFromOpensslName, type KeySpec } from './key-spec';
import { signingAlgorithmFor } from './signing-algorithm';

/**
 * @peculiar/webcrypto wraps Node's OpenSSL-backed crypto and knows secp256k1 (Key Vault's P-256K, "K-256"),
 * which Node's own WebCrypto lacks; it is the default provider of @peculiar/x509, so `.verify()` works for
 * every key kind.
 */
export const webcrypto: globalThis.Crypto = new Crypto() as unknown as globalThis.Crypto;

/**
 * The provider to sign with. Node's own WebCrypto keeps an imported key as a native key object, while
 * @peculiar/webcrypto parses the key again on every signature; with RSA that parse costs more than the
 * signature itself, so every key Node knows is signed natively and only P-256K goes through @peculiar.
 */
function webcryptoFor(spec: KeySpec): globalThis.Crypto {
  return spec.kty === 'EC' && spec.curve === 'P-256K' ? webcrypto : (nodeWebcrypto as globalThis.Crypto);
}

/** A stored key made ready to sign: the key pair and the provider it belongs to. */
export interface SigningKey {
  keys: CryptoKeyPair;
  crypto: globalThis.Crypto;
  publicKeySpki: Buffer;
}

/**
 * Imports a stored PKCS#8 key for signing, after checking it is the kind of key the caller says it is.
 * `knownPublicKeySpki`: the key pair's public half when the caller holds it (a key pair it has just
 * generated), which spares deriving it from the private key (two key parses and an export).
 */
export async function importSigningKey(privateKeyPkcs8: Buffer, spec: KeySpec, knownPublicKeySpki?: Buffer): Promise<SigningKey> {
  const publicKeySpki = knownPublicKeySpki ?? publicKeyFromPrivate(privateKeyPkcs8);
  assertKeyMatchesSpec(publicKeySpki, spec);
  const { importParams } = signingAlgorithmFor(spec);
  const crypto = webcryptoFor(spec);
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey('pkcs8', bufferSource(privateKeyPkcs8), importParams, false, ['sign']),
    crypto.subtle.importKey('spki', bufferSource(publicKeySpki), importParams, true, ['verify']),
  ]);
  return { keys: { privateKey, publicKey }, crypto, publicKeySpki };
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
