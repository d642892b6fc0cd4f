import { RC2_PITABLE, rc2CbcDecrypt, rc2DecryptBlock } from '../../../shared/crypto/rc2';

/** RC2 is only read (legacy PFX files); the PFX fixture test proves it against OpenSSL, these pin the pieces. */
describe('rc2CbcDecrypt', () => {
  it('uses a PITABLE that is a permutation of 0..255, as RFC 2268 defines it', () => {
    expect(new Set(RC2_PITABLE).size).toBe(256);
  });

  it.each([
    ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
    ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
    ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
  ])('decrypts RFC 2268 section 5 vector: key %s, %d effective bits', (key, bits, plaintext, ciphertext) => {
    expect(rc2DecryptBlock(Buffer.from(key, 'hex'), bits, Buffer.from(ciphertext, 'hex')).toString('hex')).toBe(plaintext);
  });

  it('refuses data that is not whole blocks, and wrong padding', () => {
    const key = Buffer.alloc(5, 1);
    const iv = Buffer.alloc(8);
    expect(() => rc2CbcDecrypt(key, 40, iv, Buffer.alloc(7))).toThrow(/whole 8-byte blocks/);
    expect(() => rc2CbcDecrypt(key, 40, iv, Buffer.alloc(16))).toThrow(/padding/);
  });
});
