import { randomBytes } from 'node:crypto';
import { KeyDecryptionError, openPrivateKey, sealPrivateKey } from '../../../shared/crypto/key-encryption';

const kek = randomBytes(32);
const plaintext = Buffer.from('-----BEGIN PRIVATE KEY----- pretend this is PKCS#8 secret material');
const owner = 'certificate:web/0123456789abcdef';

/** Flips one bit in one dot-separated part of a sealed string. */
function tamper(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

function errorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a failure');
}

describe('sealPrivateKey / openPrivateKey', () => {
  it('round-trips, in the compact versioned format', () => {
    const sealed = sealPrivateKey(kek, plaintext, owner);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(openPrivateKey(kek, sealed, owner)).toEqual(plaintext);
  });

  it('uses a fresh IV each time, so equal keys do not look equal at rest', () => {
    const a = sealPrivateKey(kek, plaintext, owner);
    const b = sealPrivateKey(kek, plaintext, owner);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('round-trips an empty plaintext', () => {
    expect(openPrivateKey(kek, sealPrivateKey(kek, Buffer.alloc(0), owner), owner)).toEqual(Buffer.alloc(0));
  });

  it.each([
    ['the IV', 1],
    ['the ciphertext', 2],
    ['the tag', 3],
  ])('fails when %s is tampered with', (_, part) => {
    const sealed = tamper(sealPrivateKey(kek, plaintext, owner), part);
    expect(() => openPrivateKey(kek, sealed, owner)).toThrow(KeyDecryptionError);
  });

  it('fails for another owner (the key was copied onto another row)', () => {
    const sealed = sealPrivateKey(kek, plaintext, owner);
    expect(() => openPrivateKey(kek, sealed, 'certificate:web/fedcba9876543210')).toThrow(
      'failed authentication: wrong key-encryption key, wrong owner, or tampered data',
    );
  });

  it('fails under another key-encryption key', () => {
    const sealed = sealPrivateKey(kek, plaintext, owner);
    expect(() => openPrivateKey(randomBytes(32), sealed, owner)).toThrow(KeyDecryptionError);
  });

  it('rejects malformed or unknown-version input without echoing it', () => {
    const sealed = sealPrivateKey(kek, plaintext, owner);
    for (const bad of ['', 'v1.abc', sealed.replace(/^v1/, 'v2'), `${sealed}.extra`, sealed.replace(/\.[^.]+$/, '.!!')]) {
      expect(() => openPrivateKey(kek, bad, owner)).toThrow(KeyDecryptionError);
    }
    const message = errorMessage(() => openPrivateKey(kek, tamper(sealed, 2), owner));
    expect(message).not.toContain(plaintext.toString('utf8'));
    expect(message).not.toContain(sealed.split('.')[2]);
  });

  it('requires a 32-byte key-encryption key', () => {
    expect(() => sealPrivateKey(randomBytes(16), plaintext, owner)).toThrow('must be 32 bytes, got 16');
  });
});
