import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * The envelope of a certificate backup blob: the contents compressed, then encrypted and authenticated with
 * AES-256-GCM under a key derived from the key-encryption key (KEK), so any deployment holding the same KEK
 * can open it and nothing else can read or alter it.
 *
 * Layout (bytes):  magic `KVCERTBK` (8) | format 1 (1) | salt (16) | iv (12) | ciphertext | tag (16).
 * The header (magic, format, salt, iv) is the associated data, so none of it can be changed either.
 *
 * The blob key is HKDF-SHA256(KEK, salt, "keyvault-certificates/backup/v1"): a label of its own keeps it
 * distinct from the key that seals keys at rest (the KEK itself), and a fresh random salt per blob gives
 * every blob its own key, so random IVs can never repeat under one key however many blobs are made.
 * Compression comes before encryption (ciphertext does not compress); the contents are the service's own,
 * with no attacker-chosen text beside the keys, so a length side channel has nothing to tell.
 */

const MAGIC = Buffer.from('KVCERTBK', 'ascii');
const FORMAT = 1;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + 1 + SALT_BYTES + IV_BYTES;
const KEY_LABEL = 'keyvault-certificates/backup/v1';
/** 500 versions of the largest rows the table holds fit well within this; anything larger is not ours. */
const MAX_CONTENT_BYTES = 64 * 1024 * 1024;

/** The blob is not one this deployment made: wrong key, altered, cut short, or not a blob at all. */
export class BackupEnvelopeError extends Error {
  override readonly name = 'BackupEnvelopeError';
}

function blobKey(kek: Buffer, salt: Buffer): Buffer {
  if (kek.length !== 32) throw new Error(`Key-encryption key must be 32 bytes, got ${kek.length}`);
  return Buffer.from(hkdfSync('sha256', kek, salt, KEY_LABEL, 32));
}

export function sealBackup(kek: Buffer, contents: Buffer): Buffer {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const header = Buffer.concat([MAGIC, Buffer.of(FORMAT), salt, iv]);
  const cipher = createCipheriv('aes-256-gcm', blobKey(kek, salt), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(header);
  const ciphertext = Buffer.concat([cipher.update(deflateRawSync(contents)), cipher.final()]);
  return Buffer.concat([header, ciphertext, cipher.getAuthTag()]);
}

export function openBackup(kek: Buffer, blob: Buffer): Buffer {
  if (blob.length < HEADER_BYTES + TAG_BYTES) throw new BackupEnvelopeError('The backup blob is too short');
  if (!blob.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupEnvelopeError('The blob is not a certificate backup');
  if (blob[MAGIC.length] !== FORMAT) throw new BackupEnvelopeError(`Backup format ${blob[MAGIC.length]} is not supported`);
  const header = blob.subarray(0, HEADER_BYTES);
  const salt = header.subarray(MAGIC.length + 1, MAGIC.length + 1 + SALT_BYTES);
  const iv = header.subarray(MAGIC.length + 1 + SALT_BYTES);
  const ciphertext = blob.subarray(HEADER_BYTES, blob.length - TAG_BYTES);
  let compressed: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', blobKey(kek, salt), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(header);
    decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
    compressed = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new BackupEnvelopeError('The backup blob failed authentication: another key, or altered');
  }
  try {
    // Authenticated by now, so it is our own output; the bound only guards against our own bugs.
    return inflateRawSync(compressed, { maxOutputLength: MAX_CONTENT_BYTES });
  } catch {
    throw new BackupEnvelopeError('The backup blob contents cannot be decompressed');
  }
}
