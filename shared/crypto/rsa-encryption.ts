import { type KeyObject, constants, privateDecrypt, publicEncrypt } from 'node:crypto';

/** Key Vault's RSA encryption algorithms, used by encrypt/decrypt and wrapKey/unwrapKey alike. */
export const RSA_ENCRYPTION_ALGORITHMS = ['RSA-OAEP', 'RSA-OAEP-256', 'RSA1_5'] as const;
export type RsaEncryptionAlgorithm = (typeof RSA_ENCRYPTION_ALGORITHMS)[number];

export function isRsaEncryptionAlgorithm(alg: string): alg is RsaEncryptionAlgorithm {
  return (RSA_ENCRYPTION_ALGORITHMS as readonly string[]).includes(alg);
}

/**
 * RSA1_5 decryption is refused: Node removed PKCS#1 v1.5 private decryption (CVE-2023-46809, the Marvin
 * timing attack), and undoing the padding by hand would bring the padding oracle back. Encryption with it
 * still works, so data meant for another party can be produced.
 */
export function canDecryptWith(alg: RsaEncryptionAlgorithm): boolean {
  return alg !== 'RSA1_5';
}

function options(alg: RsaEncryptionAlgorithm): { padding: number; oaepHash?: string } {
  if (alg === 'RSA1_5') return { padding: constants.RSA_PKCS1_PADDING };
  return { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: alg === 'RSA-OAEP' ? 'sha1' : 'sha256' };
}

export function rsaEncrypt(publicKey: KeyObject, alg: RsaEncryptionAlgorithm, plaintext: Buffer): Buffer {
  return publicEncrypt({ key: publicKey, ...options(alg) }, plaintext);
}

export function rsaDecrypt(privateKey: KeyObject, alg: RsaEncryptionAlgorithm, ciphertext: Buffer): Buffer {
  if (!canDecryptWith(alg)) throw new Error('RSA1_5 decryption is not offered');
  return privateDecrypt({ key: privateKey, ...options(alg) }, ciphertext);
}
