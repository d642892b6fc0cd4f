import { createHmac } from 'node:crypto';
import { SIGNATURE_HEADER, signatureOf, verifySignature } from '../../../shared/events/webhook-signature';

describe('webhook signature', () => {
  const body = '[{"id":"x","eventType":"Microsoft.KeyVault.CertificateNewVersionCreated"}]';
  const secret = 'a-secret-of-enough-length';

  it('is sha256= and the hex HMAC-SHA256 of the exact body under the secret, as a receiver recomputes it with any HMAC library', () => {
    const independent = 'sha256=' + createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('hex');
    expect(signatureOf(body, secret)).toBe(independent);
    expect(SIGNATURE_HEADER).toBe('x-signature-256');
  });

  it('verifies the signature of the body, in either case of hex', () => {
    expect(verifySignature(body, secret, signatureOf(body, secret))).toBe(true);
    expect(verifySignature(Buffer.from(body), secret, signatureOf(body, secret).toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
  });

  it('refuses another secret, a changed body, a missing or malformed header', () => {
    const signature = signatureOf(body, secret);
    expect(verifySignature(body, 'another-secret-of-length', signature)).toBe(false);
    expect(verifySignature(body.replace('x', 'y'), secret, signature)).toBe(false);
    expect(verifySignature(body, secret, undefined)).toBe(false);
    expect(verifySignature(body, secret, signature.slice(0, -1))).toBe(false);
    expect(verifySignature(body, secret, signature.replace('sha256=', ''))).toBe(false);
  });
});
