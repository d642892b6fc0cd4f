import { type KeyObject, createPrivateKey, createPublicKey } from 'node:crypto';
import { errors } from '../api/errors';
import { ecCurveOf, ecDigestLength, ecdsaSignDigest, ecdsaVerifyDigest, isEcSignatureAlgorithm, EC_SIGNATURE_ALGORITHMS } from '../crypto/ecdsa-digest-signature';
import { type PublicJwk, publicJwk } from '../crypto/jwk';
import { openPrivateKey } from '../crypto/key-encryption';
import { type EcCurve, describeKeySpec } from '../crypto/key-spec';
import { RSA_ENCRYPTION_ALGORITHMS, canDecryptWith, isRsaEncryptionAlgorithm, rsaDecrypt, rsaEncrypt } from '../crypto/rsa-encryption';
import { RSA_SIGNATURE_ALGORITHMS, type RsaSignatureAlgorithm, isRsaSignatureAlgorithm, rsaDigestLength, rsaSignDigest, rsaVerifyDigest } from '../crypto/rsa-digest-signature';
import { type CertificateVersion, type VersionWithoutKey, withoutKey } from '../domain/certificate-version';
import { type KeyOperation, keyOperationsOf } from '../domain/key-operations';
import { findIssuedVersion } from './certificate-reads';
import { keyBinding } from './new-version';
import type { ServiceContext } from './service-context';

/**
 * The managed key behind a certificate's `kid`, and the operations Key Vault's CryptographyClient performs
 * on it. What the key may do is its `key_ops`, derived from the certificate policy's key usage. The private
 * key is opened only for the one operation that needs it and never leaves this module.
 */
export interface ManagedKey {
  version: VersionWithoutKey;
  jwk: PublicJwk;
  keyOps: KeyOperation[];
}

/** The result of an operation, with the version it ran on (the response's `kid`). */
export interface KeyOperationResult {
  version: VersionWithoutKey;
  value: Buffer;
}

export type EncryptingOperation = 'encrypt' | 'wrapKey';
export type DecryptingOperation = 'decrypt' | 'unwrapKey';

/** GET /keys/{name}/{version?}: readable while disabled, as Key Vault's key reads are. */
export async function getManagedKey(ctx: ServiceContext, name: string, version: string | undefined): Promise<ManagedKey> {
  const found = withoutKey(await findVersion(ctx, name, version));
  return { version: found, jwk: publicJwk(Buffer.from(found.publicKeySpki, 'base64')), keyOps: keyOperationsOf(found.policy.keyUsage) };
}

export async function signWithKey(ctx: ServiceContext, name: string, version: string, alg: string, digest: Buffer): Promise<KeyOperationResult> {
  const found = await usableVersion(ctx, name, version, 'sign');
  const scheme = signatureScheme(found, alg, digest);
  const key = privateKeyOf(ctx, found);
  const value = scheme.kty === 'RSA' ? rsaSignDigest(key, scheme.alg, digest) : ecdsaSignDigest(key, scheme.curve, digest);
  return { version: withoutKey(found), value };
}

export async function verifyWithKey(
  ctx: ServiceContext,
  name: string,
  version: string,
  alg: string,
  digest: Buffer,
  signature: Buffer,
): Promise<boolean> {
  const found = await usableVersion(ctx, name, version, 'verify');
  const scheme = signatureScheme(found, alg, digest);
  const key = publicKeyOf(found);
  return scheme.kty === 'RSA' ? rsaVerifyDigest(key, scheme.alg, digest, signature) : ecdsaVerifyDigest(key, scheme.curve, digest, signature);
}

/** encrypt and wrapKey are the same RSA operation; only the key_ops entry that allows it differs. */
export async function encryptWithKey(
  ctx: ServiceContext,
  operation: EncryptingOperation,
  name: string,
  version: string,
  alg: string,
  plaintext: Buffer,
): Promise<KeyOperationResult> {
  const found = await usableVersion(ctx, name, version, operation);
  const algorithm = checkEncryptionAlgorithm(found, alg);
  try {
    return { version: withoutKey(found), value: rsaEncrypt(publicKeyOf(found), algorithm, plaintext) };
  } catch {
    throw errors.badParameter(`The value is too long to ${operation} with ${alg} and this ${describeKeySpec(found.keySpec)} key.`);
  }
}

export async function decryptWithKey(
  ctx: ServiceContext,
  operation: DecryptingOperation,
  name: string,
  version: string,
  alg: string,
  ciphertext: Buffer,
): Promise<KeyOperationResult> {
  const found = await usableVersion(ctx, name, version, operation);
  const algorithm = checkEncryptionAlgorithm(found, alg);
  if (!canDecryptWith(algorithm)) {
    throw errors.badParameter(
      `This service does not ${operation} with RSA1_5 (PKCS#1 v1.5 decryption is open to padding-oracle attacks); use RSA-OAEP or RSA-OAEP-256.`,
    );
  }
  const key = privateKeyOf(ctx, found);
  try {
    return { version: withoutKey(found), value: rsaDecrypt(key, algorithm, ciphertext) };
  } catch {
    // Deliberately says nothing about why (padding, length): no oracle for the ciphertext's structure.
    throw errors.badParameter(`The value could not be ${operation === 'decrypt' ? 'decrypted' : 'unwrapped'} with ${alg} and this key.`);
  }
}

async function findVersion(ctx: ServiceContext, name: string, version: string | undefined): Promise<CertificateVersion> {
  const found = await findIssuedVersion(ctx, name, version);
  if (!found) throw errors.keyNotFound(name, version);
  return found;
}

/** The version, once it is known to exist, be enabled, and allow the operation. */
async function usableVersion(ctx: ServiceContext, name: string, version: string, operation: KeyOperation): Promise<CertificateVersion> {
  const found = await findVersion(ctx, name, version);
  if (!found.enabled) throw errors.keyDisabled(operation);
  if (!keyOperationsOf(found.policy.keyUsage).includes(operation)) throw errors.keyOperationForbidden(operation);
  return found;
}

type SignatureScheme = { kty: 'RSA'; alg: RsaSignatureAlgorithm } | { kty: 'EC'; curve: EcCurve };

/** The algorithm must suit the key (ES* names its curve) and the digest be that algorithm's hash size. */
function signatureScheme(found: CertificateVersion, alg: string, digest: Buffer): SignatureScheme {
  const spec = found.keySpec;
  let scheme: SignatureScheme | undefined;
  let expectedLength = 0;
  if (spec.kty === 'RSA' && isRsaSignatureAlgorithm(alg)) {
    scheme = { kty: 'RSA', alg };
    expectedLength = rsaDigestLength(alg);
  } else if (spec.kty === 'EC' && isEcSignatureAlgorithm(alg) && ecCurveOf(alg) === spec.curve) {
    scheme = { kty: 'EC', curve: spec.curve };
    expectedLength = ecDigestLength(alg);
  }
  if (!scheme) {
    const allowed = spec.kty === 'RSA' ? RSA_SIGNATURE_ALGORITHMS : EC_SIGNATURE_ALGORITHMS.filter((a) => ecCurveOf(a) === spec.curve);
    throw errors.badParameter(`Algorithm ${alg} cannot sign or verify with this ${describeKeySpec(spec)} key; use ${allowed.join(', ')}.`);
  }
  if (digest.length !== expectedLength) {
    throw errors.badParameter(`The digest for ${alg} must be ${expectedLength} bytes, not ${digest.length}.`);
  }
  return scheme;
}

function checkEncryptionAlgorithm(found: CertificateVersion, alg: string) {
  if (found.keySpec.kty !== 'RSA' || !isRsaEncryptionAlgorithm(alg)) {
    throw errors.badParameter(
      `Algorithm ${alg} cannot encrypt with this ${describeKeySpec(found.keySpec)} key; RSA keys take ${RSA_ENCRYPTION_ALGORITHMS.join(', ')}.`,
    );
  }
  return alg;
}

function publicKeyOf(found: CertificateVersion): KeyObject {
  return createPublicKey({ key: Buffer.from(found.publicKeySpki, 'base64'), format: 'der', type: 'spki' });
}

function privateKeyOf(ctx: ServiceContext, found: CertificateVersion): KeyObject {
  if (!found.sealedPrivateKey) throw errors.badParameter('The private part of this key is not held by this vault.');
  const pkcs8 = openPrivateKey(ctx.keyEncryptionKey, found.sealedPrivateKey, keyBinding(found.name, found.version));
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
}
