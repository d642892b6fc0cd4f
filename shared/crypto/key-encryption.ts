import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Private keys at rest: AES-256-GCM under the app's key-encryption key (KEK). The associated data names
 * the entity the key belongs to, so a sealed key copied onto another certificate's row will not open.
 *
 * Format: `v1.<iv>.<ciphertext>.<tag>`, each part base64url. The version prefix lets a later format
 * (or a rotated KEK) coexist with rows already written.
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEK_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Opening failed. Deliberately says nothing about the plaintext or which check failed beyond the cause. */
export class KeyDecryptionError extends Error {
  override readonly name = 'KeyDecryptionError';
}

export function sealPrivateKey(kek: Buffer, plaintext: Buffer, associatedData: string): string {
  assertKek(kek);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, ciphertext, tag].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function openPrivateKey(kek: Buffer, sealed: string, associatedData: string): Buffer {
  assertKek(kek);
  const parts = sealed.split('.');
  const [version, ivText, ciphertextText, tagText] = parts;
  if (parts.length !== 4 || version !== VERSION) {
    throw new KeyDecryptionError(`Sealed private key is not in the ${VERSION} format`);
  }
  const [iv, ciphertext, tag] = [ivText, ciphertextText, tagText].map(decodeBase64url);
  if (!iv || !ciphertext || !tag || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new KeyDecryptionError('Sealed private key is malformed');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new KeyDecryptionError(
      'Sealed private key failed authentication: wrong key-encryption key, wrong owner, or tampered data',
    );
  }
}

function assertKek(kek: Buffer): void {
  if (kek.length !== KEK_BYTES) throw new Error(`Key-encryption key must be ${KEK_BYTES} bytes, got ${kek.length}`);
}

function decodeBase64url(text: string | undefined): Buffer | undefined {
  if (text === undefined || !BASE64URL.test(text)) return undefined;
  return Buffer.from(text, 'base64url');
}
