import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPair as nodeGenerateKeyPair } from 'node:crypto';
import { ecCurveFromOpensslName, isRsaKeySize, opensslCurveName, type KeySpec } from './key-spec';

/** A key pair as the rest of the app stores and passes it: DER bytes. */
export interface KeyPairDer {
  privateKeyPkcs8: Buffer;
  publicKeySpki: Buffer;
  /**
   * The private key as Node's key object, when this process made the pair: signing with it spares parsing
   * the PKCS#8 again, which costs OpenSSL 3 about half a millisecond. Never stored.
   */
  privateKey?: KeyObject;
}

/**
 * Generates a key pair with Node's async generator, which runs in the libuv thread pool: an RSA-4096
 * key takes seconds, and the Functions host must keep serving other requests meanwhile. The pair comes
 * back as key objects, exported to DER here (a fraction of a millisecond), so the private one can sign the
 * CSR without being parsed again.
 */
export function generateKeyPair(spec: KeySpec): Promise<KeyPairDer> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject): void => {
      if (err) {
        reject(err);
        return;
      }
      resolve({
        privateKeyPkcs8: privateKey.export({ type: 'pkcs8', format: 'der' }),
        publicKeySpki: publicKey.export({ type: 'spki', format: 'der' }),
        privateKey,
      });
    };
    if (spec.kty === 'RSA') {
      nodeGenerateKeyPair('rsa', { modulusLength: spec.keySize, publicExponent: 0x10001 }, done);
    } else {
      nodeGenerateKeyPair('ec', { namedCurve: opensslCurveName(spec.curve) }, done);
    }
  });
}

/** The SPKI DER of the public half of a PKCS#8 private key. */
export function publicKeyFromPrivate(privateKeyPkcs8: Buffer): Buffer {
  const privateKey = createPrivateKey({ key: privateKeyPkcs8, format: 'der', type: 'pkcs8' });
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
}

/**
 * Describes a public key in Key Vault terms, for certificates that were imported or merged rather than
 * generated here. `undefined` means Key Vault has no name for it (RSA-1024, Ed25519, a brainpool curve...).
 */
export function keySpecOfPublicKey(spki: Buffer): KeySpec | undefined {
  let details;
  let type;
  try {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    details = key.asymmetricKeyDetails;
    type = key.asymmetricKeyType;
  } catch {
    return undefined;
  }
  if (type === 'rsa') {
    const size = details?.modulusLength;
    return isRsaKeySize(size) ? { kty: 'RSA', keySize: size } : undefined;
  }
  if (type === 'ec' && details?.namedCurve) {
    const curve = ecCurveFromOpensslName(details.namedCurve);
    return curve ? { kty: 'EC', curve } : undefined;
  }
  return undefined;
}
