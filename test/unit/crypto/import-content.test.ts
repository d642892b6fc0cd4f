import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImportContentError, detectImportFormat, readImportContent } from '../../../shared/crypto/import-content';
import { profileOfCertificate } from '../../../shared/crypto/profile-of-certificate';
import { buildPem, buildPfx } from '../../../shared/crypto/secret-encoding';

/** Files made by the OpenSSL CLI (test/fixtures/import/make-fixtures.sh), read as an import would read them. */
const fixture = (file: string): Buffer => readFileSync(join(__dirname, '../../fixtures/import', file));
const pfx = (file: string): string => fixture(file).toString('base64');
const pem = (file: string): string => fixture(file).toString('utf8');
const rsaCertificate = new X509Certificate(fixture('rsa.crt'));

function importError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportContentError) return error.message;
    throw error;
  }
  throw new Error('expected an ImportContentError');
}

describe('detectImportFormat', () => {
  it('takes PEM text as it is, as the JS and Python SDKs send it', () => {
    expect(detectImportFormat(pem('rsa.pem')).format).toBe('pem');
  });
  it('recognises base64 of PEM text, as a client that base64-encodes any bytes sends a .pem file', () => {
    expect(detectImportFormat(fixture('rsa.pem').toString('base64')).format).toBe('pem');
  });
  it('reads other base64 as a PFX, line breaks allowed', () => {
    const detected = detectImportFormat(pfx('rsa-aes.pfx').replace(/(.{64})/g, '$1\n'));
    expect(detected).toEqual({ format: 'pfx', der: fixture('rsa-aes.pfx') });
  });
  it('refuses text that is neither', () => {
    expect(importError(() => detectImportFormat('not a certificate!'))).toMatch(/neither PEM text nor base64/);
    expect(importError(() => detectImportFormat('   '))).toMatch(/neither PEM text nor base64/);
  });
});

describe('readImportContent', () => {
  it.each([
    ['OpenSSL 3 default (AES-256-CBC, PBKDF2) with a password', 'rsa-aes.pfx', 's3cret'],
    ['an empty password', 'rsa-nopass.pfx', ''],
    ['legacy 3DES and a SHA-1 MAC', 'rsa-3des.pfx', 's3cret'],
    ['OpenSSL -legacy (RC2-40 certificates, 3DES key)', 'rsa-rc2.pfx', 's3cret'],
  ])('reads a PFX made with %s: the certificate and its key', (_label, file, password) => {
    const material = readImportContent(pfx(file), password);
    expect(material.format).toBe('pfx');
    expect(material.chain).toHaveLength(1);
    expect(material.chain[0]?.der.equals(rsaCertificate.raw)).toBe(true);
    expect(material.publicKeySpki.equals(rsaCertificate.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  });

  it('treats an absent pwd as the empty password', () => {
    expect(readImportContent(pfx('rsa-nopass.pfx'), undefined).chain[0]?.subject).toContain('CN=import.example');
  });

  it('reads an EC P-384 PFX', () => {
    const material = readImportContent(pfx('ec-aes.pfx'), 's3cret');
    expect(material.chain[0]?.subject).toBe('CN=ec.import.example');
  });

  it('reads PEM with the PKCS#8 key and the certificate, raw or base64', () => {
    for (const value of [pem('rsa.pem'), fixture('rsa.pem').toString('base64')]) {
      const material = readImportContent(value, undefined);
      expect(material.format).toBe('pem');
      expect(material.chain[0]?.der.equals(rsaCertificate.raw)).toBe(true);
    }
  });

  it('round-trips what this service exports (PFX with an empty password, and PEM)', async () => {
    const original = readImportContent(pem('ec.pem'), undefined);
    const material = { privateKeyPkcs8: original.privateKeyPkcs8, certificatesDer: original.chain.map((c) => c.der) };
    const fromPfx = readImportContent((await buildPfx(material)).toString('base64'), '');
    const fromPem = readImportContent(buildPem(material), undefined);
    for (const read of [fromPfx, fromPem]) {
      expect(read.privateKeyPkcs8.equals(original.privateKeyPkcs8)).toBe(true);
      expect(read.chain[0]?.x5t).toBe(original.chain[0]?.x5t);
    }
  });

  it('says the password is wrong when it is', () => {
    expect(importError(() => readImportContent(pfx('rsa-aes.pfx'), 'wrong'))).toMatch(/cannot be read with the password given \(pwd\)/);
    expect(importError(() => readImportContent(pfx('rsa-aes.pfx'), undefined))).toMatch(/password/);
    expect(importError(() => readImportContent(pfx('rsa-3des.pfx'), 'wrong'))).toMatch(/password/);
  });

  it('says an unreadable PFX is not a PKCS#12 file', () => {
    expect(importError(() => readImportContent(Buffer.from('definitely not DER').toString('base64'), ''))).toMatch(
      /not a valid PKCS#12 file/,
    );
    const truncated = fixture('rsa-aes.pfx').subarray(0, 500).toString('base64');
    expect(importError(() => readImportContent(truncated, 's3cret'))).toMatch(/not a valid PKCS#12 file/);
  });

  it('says the password is wrong for an RC2-encrypted file too', () => {
    expect(importError(() => readImportContent(pfx('rsa-rc2.pfx'), 'wrong'))).toMatch(/password/);
  });

  it('refuses content without a private key', () => {
    expect(importError(() => readImportContent(pfx('cert-only.pfx'), ''))).toMatch(/PFX content has no private key/);
    expect(importError(() => readImportContent(pem('rsa.crt'), undefined))).toMatch(/PEM content has no private key/);
  });

  it('refuses a key that does not match the certificate', () => {
    expect(importError(() => readImportContent(pem('mismatch.pem'), undefined))).toMatch(/private key does not match the certificate/);
  });
});

describe('profileOfCertificate', () => {
  it("reads the subject, SANs, EKUs and key usage an imported certificate's policy shows", () => {
    expect(profileOfCertificate(rsaCertificate.raw)).toEqual({
      subject: 'CN=import.example, O=Import Test',
      sans: { dnsNames: ['import.example', 'www.import.example'], emails: ['ops@import.example'], upns: [], uris: [], ipAddresses: [] },
      ekus: ['1.3.6.1.5.5.7.3.1'],
      keyUsage: ['digitalSignature', 'keyEncipherment'],
    });
  });
});
