import { vaultUrlOf } from '../../../shared/api/wire/identifiers';

/** The ids a caller gets are built on this URL; an SDK that follows them (.NET does) refuses http:// ones. */
const headers = (entries: Record<string, string> = {}) => new Headers(entries);

describe('vaultUrlOf', () => {
  it('is the origin of the request when no front end is involved', () => {
    expect(vaultUrlOf('http://127.0.0.1:7110/certificates/c1/?api-version=7.6', headers())).toBe('http://127.0.0.1:7110');
    expect(vaultUrlOf('https://127.0.0.1:7443/certificates/c1/', headers())).toBe('https://127.0.0.1:7443');
  });

  it('says https when a TLS-terminating front end says so in X-Forwarded-Proto, as Azure does', () => {
    expect(vaultUrlOf('http://certs.azurewebsites.net/certificates/c1/', headers({ 'X-Forwarded-Proto': 'https' }))).toBe('https://certs.azurewebsites.net');
    expect(vaultUrlOf('http://vault.contoso.com/certificates/c1/', headers({ 'x-forwarded-proto': 'HTTPS' }))).toBe('https://vault.contoso.com');
    // A proxy that keeps the public port in Host keeps it in the ids too.
    expect(vaultUrlOf('http://localhost:8443/certificates/c1/', headers({ 'X-Forwarded-Proto': 'https' }))).toBe('https://localhost:8443');
  });

  it('reads the outermost scheme of a proxy chain', () => {
    expect(vaultUrlOf('http://vault.contoso.com/x', headers({ 'X-Forwarded-Proto': 'https, http' }))).toBe('https://vault.contoso.com');
    expect(vaultUrlOf('http://vault.contoso.com/x', headers({ 'X-Forwarded-Proto': 'http, https' }))).toBe('http://vault.contoso.com');
  });

  it('drops the default port of the scheme it switches to', () => {
    expect(vaultUrlOf('http://vault.contoso.com:443/x', headers({ 'X-Forwarded-Proto': 'https' }))).toBe('https://vault.contoso.com');
  });

  it('never gives an http id to a request that came over TLS, whatever the headers say', () => {
    expect(vaultUrlOf('https://vault.contoso.com/x', headers({ 'X-Forwarded-Proto': 'http' }))).toBe('https://vault.contoso.com');
  });

  it('keeps the request host: X-Forwarded-Host is not trusted to steer ids (and the tokens that follow them) elsewhere', () => {
    expect(vaultUrlOf('http://vault.contoso.com/x', headers({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.example' }))).toBe(
      'https://vault.contoso.com',
    );
  });

  it('ignores a scheme it does not know', () => {
    expect(vaultUrlOf('http://vault.contoso.com/x', headers({ 'X-Forwarded-Proto': 'wss' }))).toBe('http://vault.contoso.com');
  });
});
