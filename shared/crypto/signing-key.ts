import { type KeyObject, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { describeKeySpec, ecCurveFromOpensslName, type KeySpec } from './key-spec';
import { signingAlgorithmFor } from './signing-algorithm';

/**
 * A stored key made ready to sign with Node's own crypto: parsed once into a KeyObject (OpenSSL's key), used
 * for every signature it makes. Node signs every key kind Key Vault has, secp256k1 (P-256K) included.
 */
export interface SigningKey {
  privateKey: KeyObject;
  spec: KeySpec;
  publicKeySpki: Buffer;
}

/** AlgorithmIdentifier DER of each signature the app makes (RFC 5758 ECDSA without parameters, RFC 4055 RSA with NULL). */
const ECDSA_WITH: Record<'SHA-256' | 'SHA-384' | 'SHA-512', Buffer> = {
  'SHA-256': Buffer.from('300a06082a8648ce3d040302', 'hex'),
  'SHA-384': Buffer.from('300a06082a8648ce3d040303', 'hex'),
  'SHA-512': Buffer.from('300a06082a8648ce3d040304', 'hex'),
};
const SHA256_WITH_RSA = Buffer.from('300d06092a864886f70d01010b0500', 'hex');

/** The signature algorithm (as DER) a key of this spec signs with: RS256, or ECDSA with the curve's hash. */
export function signatureAlgorithmDer(spec: KeySpec): Buffer {
  return spec.kty === 'RSA' ? SHA256_WITH_RSA : ECDSA_WITH[signingAlgorithmFor(spec).hash];
}

/**
 * Parses a stored PKCS#8 key for signing (or takes the key object it was exported from), after checking
 * it is the kind of key the caller says it is.
 * `knownPublicKeySpki`: the key pair's public half when the caller holds it (a key pair it has just
 * generated), which spares deriving it from the private key.
 */
export function signingKeyOf(privateKeyPkcs8: Buffer | KeyObject, spec: KeySpec, knownPublicKeySpki?: Buffer): SigningKey {
  // Parsing PKCS#8 costs OpenSSL 3 about half a millisecond: a key already parsed is used as it is.
  const privateKey = Buffer.isBuffer(privateKeyPkcs8) ? createPrivateKey({ key: privateKeyPkcs8, format: 'der', type: 'pkcs8' }) : privateKeyPkcs8;
  assertKeyMatchesSpec(privateKey, spec);
  const publicKeySpki = knownPublicKeySpki ?? createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, spec, publicKeySpki };
}

/**
 * The signature over `data` as X.509 carries it (ECDSA as a DER SEQUENCE of r and s, RSA as PKCS#1 v1.5).
 * RSA signs in the libuv thread pool, so that an RSA-4096 signature (milliseconds) never holds the event
 * loop; ECDSA signs in place: it takes tens of microseconds, less than the hop to the pool and back costs.
 */
export async function signWith(key: SigningKey, data: Uint8Array): Promise<Buffer> {
  const hash = signingAlgorithmFor(key.spec).hash.replace('-', '').toLowerCase();
  if (key.spec.kty === 'EC') return sign(hash, data, { key: key.privateKey, dsaEncoding: 'der' });
  const { privateKey } = key;
  return new Promise((resolve, reject) => {
    sign(hash, data, privateKey, (error, signature) => (error ? reject(error) : resolve(signature)));
  });
}

/**
 * A mismatch would otherwise surface as an obscure failure, or worse a signature over the wrong hash. RSA
 * signers of any size are accepted: an issuer's key need not be one we would generate.
 */
function assertKeyMatchesSpec(privateKey: KeyObject, spec: KeySpec): void {
  const type = privateKey.asymmetricKeyType;
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  const matches =
    (spec.kty === 'RSA' && type === 'rsa') ||
    (spec.kty === 'EC' && type === 'ec' && curve !== undefined && ecCurveFromOpensslName(curve) === spec.curve);
  if (!matches) {
    const found = type === 'ec' ? `EC ${curve ?? 'with unnamed curve'}` : (type ?? 'unknown').toUpperCase();
    throw new Error(`Signing key is ${found}, but ${describeKeySpec(spec)} was expected`);
  }
}
