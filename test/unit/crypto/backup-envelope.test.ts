import { randomBytes } from 'node:crypto';
import { BackupEnvelopeError, openBackup, sealBackup } from '../../../shared/crypto/backup-envelope';

const kek = randomBytes(32);
const contents = Buffer.from(JSON.stringify({ versions: ['a', 'b'], key: 'pretend PKCS#8 material', policy: { subject: 'CN=x'.repeat(20) } }));

function failureOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('backup envelope', () => {
  it('round-trips, starting with its magic and format byte', () => {
    const blob = sealBackup(kek, contents);
    expect(blob.subarray(0, 9).toString('latin1')).toBe('KVCERTBK\u0001');
    expect(openBackup(kek, blob)).toEqual(contents);
  });

  it('hides the contents: no plaintext in the blob, and two blobs of the same contents differ', () => {
    const a = sealBackup(kek, contents);
    const b = sealBackup(kek, contents);
    expect(a.includes(Buffer.from('PKCS#8'))).toBe(false);
    expect(a.equals(b)).toBe(false);
    expect(openBackup(kek, b)).toEqual(contents);
  });

  it('refuses a blob with any one byte changed, header, ciphertext or tag', () => {
    const blob = sealBackup(kek, contents);
    for (let i = 0; i < blob.length; i += 1) {
      const altered = Buffer.from(blob);
      altered[i] = (altered[i] ?? 0) ^ 0x01;
      expect({ i, error: failureOf(() => openBackup(kek, altered)) }).toEqual({ i, error: expect.any(BackupEnvelopeError) });
    }
  });

  it('refuses a blob cut short at any length, and one with bytes added', () => {
    const blob = sealBackup(kek, contents);
    for (let length = 0; length < blob.length; length += 1) {
      expect({ length, error: failureOf(() => openBackup(kek, blob.subarray(0, length))) }).toEqual({ length, error: expect.any(BackupEnvelopeError) });
    }
    expect(failureOf(() => openBackup(kek, Buffer.concat([blob, Buffer.of(0)])))).toBeInstanceOf(BackupEnvelopeError);
  });

  it('refuses a blob sealed under another key-encryption key', () => {
    const foreign = sealBackup(randomBytes(32), contents);
    expect(failureOf(() => openBackup(kek, foreign))).toBeInstanceOf(BackupEnvelopeError);
  });

  it('refuses bytes that are no backup at all', () => {
    expect(failureOf(() => openBackup(kek, randomBytes(200)))).toBeInstanceOf(BackupEnvelopeError);
    expect(failureOf(() => openBackup(kek, Buffer.from('&AzureKeyVaultKeyBackupV1.microsoft.com' + 'x'.repeat(100))))).toBeInstanceOf(BackupEnvelopeError);
  });

  it('compresses what repeats (every version repeats the policy)', () => {
    const repetitive = Buffer.from(JSON.stringify(Array.from({ length: 200 }, () => ({ policy: { subject: 'CN=repeated', ekus: ['1.3.6.1.5.5.7.3.1'] } }))));
    expect(sealBackup(kek, repetitive).length).toBeLessThan(repetitive.length / 10);
  });
});
