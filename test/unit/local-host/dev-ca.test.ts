import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devCaFiles, ensureDevTlsCredentials, TLS_RENEW_WITHIN_DAYS, type DevTlsOptions } from '../../../scripts/local-host/dev-ca';
import { OpenSsl } from '../crypto/helpers';

/** The development CA behind `npm start`'s HTTPS, read back with OpenSSL as an independent verifier. */

const DAY_MS = 86_400_000;
const openssl = new OpenSsl();
afterAll(() => openssl.cleanup());

function clockAt(time: Date): () => Date {
  return () => new Date(time);
}

/** `openssl verify` of the leaf against the CA file, as a TLS client checking `localhost` would; throws with OpenSSL's reason. */
function verifyAsTlsServer(caFile: string, certPem: string, atTime?: Date, extra: string[] = []): string {
  const at = atTime ? ['-attime', String(Math.floor(atTime.getTime() / 1000))] : [];
  return openssl.run(['verify', '-x509_strict', '-purpose', 'sslserver', ...at, ...extra, '-CAfile', caFile, openssl.file(certPem)]);
}

describe('development CA for HTTPS', () => {
  let dir: string;
  let logLines: string[];
  let options: DevTlsOptions;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'dev-ca-')), 'dev-ca');
    logLines = [];
    options = { dir, keyEncryptionKey: randomBytes(32), log: (line) => logLines.push(line) };
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('makes a CA and a localhost server certificate that OpenSSL accepts for localhost, 127.0.0.1 and ::1', async () => {
    const tls = await ensureDevTlsCredentials(options);
    expect(tls).toMatchObject({ ca: 'created', tls: 'issued', caCertificateFile: path.join(dir, 'ca.pem') });

    expect(verifyAsTlsServer(tls.caCertificateFile, tls.cert, undefined, ['-verify_hostname', 'localhost'])).toMatch(/: OK/);
    expect(verifyAsTlsServer(tls.caCertificateFile, tls.cert, undefined, ['-verify_ip', '127.0.0.1'])).toMatch(/: OK/);
    expect(verifyAsTlsServer(tls.caCertificateFile, tls.cert, undefined, ['-verify_ip', '::1'])).toMatch(/: OK/);
    expect(() => verifyAsTlsServer(tls.caCertificateFile, tls.cert, undefined, ['-verify_hostname', 'example.com'])).toThrow(/hostname mismatch/);

    const leaf = openssl.run(['x509', '-in', openssl.file(tls.cert), '-noout', '-text']);
    expect(leaf).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    expect(leaf).toMatch(/X509v3 Extended Key Usage:\s*\n\s*TLS Web Server Authentication\n/);
    expect(leaf).toMatch(/X509v3 Key Usage: critical\s*\n\s*Digital Signature\n/);
    expect(leaf).toMatch(/CA:FALSE/);
    expect(leaf).toMatch(/X509v3 Authority Key Identifier/);
    expect(leaf).toMatch(/X509v3 Subject Key Identifier/);

    const ca = openssl.run(['x509', '-in', tls.caCertificateFile, '-noout', '-text']);
    expect(ca).toMatch(/X509v3 Basic Constraints: critical\s*\n\s*CA:TRUE/);
    expect(ca).toMatch(/Certificate Sign, CRL Sign/);

    const leafCert = new X509Certificate(tls.cert);
    const caCert = new X509Certificate(readFileSync(tls.caCertificateFile));
    const validityDays = (new Date(leafCert.validTo).getTime() - new Date(leafCert.validFrom).getTime()) / DAY_MS;
    expect(validityDays).toBeLessThanOrEqual(397);
    expect(new Date(caCert.validTo).getTime() - Date.now()).toBeGreaterThan(9 * 365 * DAY_MS);
    // The key handed to TLS is the certificate's own.
    expect(leafCert.checkPrivateKey(createPrivateKey(tls.key))).toBe(true);
    expect(logLines.join('\n')).toContain(tls.caCertificateFile);
  });

  it('keeps both private keys sealed and every file owner-only', async () => {
    const tls = await ensureDevTlsCredentials(options);
    const files = devCaFiles(dir);
    for (const file of Object.values(files)) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const leafKeyBase64 = tls.key.replace(/-----[^-]+-----|\s/g, '');
    for (const file of [files.caKey, files.tlsKey]) {
      const content = readFileSync(file, 'utf8');
      expect(content).toMatch(/^v1\./);
      expect(content).not.toContain('PRIVATE KEY');
      expect(content).not.toContain(leafKeyBase64);
    }
    expect(logLines.join('\n')).not.toMatch(/PRIVATE KEY|v1\./);
  });

  it('returns the same certificate on the next start, and re-issues it once it is within the renewal window', async () => {
    const start = new Date();
    const first = await ensureDevTlsCredentials({ ...options, clock: clockAt(start) });
    const again = await ensureDevTlsCredentials({ ...options, clock: clockAt(start) });
    expect(again).toMatchObject({ ca: 'kept', tls: 'kept', cert: first.cert, key: first.key });

    const beforeWindow = new Date(first.notAfter.getTime() - (TLS_RENEW_WITHIN_DAYS + 1) * DAY_MS);
    expect(await ensureDevTlsCredentials({ ...options, clock: clockAt(beforeWindow) })).toMatchObject({ tls: 'kept', cert: first.cert });

    const inWindow = new Date(first.notAfter.getTime() - (TLS_RENEW_WITHIN_DAYS - 1) * DAY_MS);
    const renewed = await ensureDevTlsCredentials({ ...options, clock: clockAt(inWindow) });
    expect(renewed).toMatchObject({ ca: 'kept', tls: 'issued' });
    expect(renewed.cert).not.toBe(first.cert);
    expect(renewed.key).not.toBe(first.key);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
    // Same CA file, so clients that trust it need nothing new; the renewed certificate verifies after the old one's end.
    expect(verifyAsTlsServer(renewed.caCertificateFile, renewed.cert, new Date(first.notAfter.getTime() + DAY_MS))).toMatch(/: OK/);
    expect(logLines.some((line) => /Issued the HTTPS certificate .*expires on/.test(line))).toBe(true);
  });

  it('re-issues a certificate that was deleted, under the same CA', async () => {
    const first = await ensureDevTlsCredentials(options);
    const caPem = readFileSync(first.caCertificateFile, 'utf8');
    rmSync(devCaFiles(dir).tlsCertificate);
    const next = await ensureDevTlsCredentials(options);
    expect(next).toMatchObject({ ca: 'kept', tls: 'issued' });
    expect(readFileSync(next.caCertificateFile, 'utf8')).toBe(caPem);
    expect(verifyAsTlsServer(next.caCertificateFile, next.cert)).toMatch(/: OK/);
  });

  it('makes a new CA, and says clients must trust it, when the key-encryption key changed', async () => {
    const first = await ensureDevTlsCredentials(options);
    const oldCa = openssl.file(readFileSync(first.caCertificateFile));

    const next = await ensureDevTlsCredentials({ ...options, keyEncryptionKey: randomBytes(32) });
    expect(next).toMatchObject({ ca: 'replaced', tls: 'issued' });
    const message = logLines.find((line) => line.includes('cannot be used')) ?? '';
    expect(message).toMatch(/does not open with the current key-encryption key/);
    expect(message).toContain(`must trust the new ${next.caCertificateFile}`);

    expect(verifyAsTlsServer(next.caCertificateFile, next.cert)).toMatch(/: OK/);
    expect(() => verifyAsTlsServer(oldCa, next.cert)).toThrow(/unable to get local issuer certificate/);
  });

  it('makes a new CA when its certificate is damaged, saying why', async () => {
    await ensureDevTlsCredentials(options);
    writeFileSync(devCaFiles(dir).caCertificate, 'not a certificate');
    const next = await ensureDevTlsCredentials(options);
    expect(next).toMatchObject({ ca: 'replaced', tls: 'issued' });
    expect(logLines.join('\n')).toMatch(/ca\.pem is not a PEM certificate/);
    expect(verifyAsTlsServer(next.caCertificateFile, next.cert)).toMatch(/: OK/);
  });
});
