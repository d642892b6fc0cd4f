import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevTlsCredentials } from '../../../../scripts/local-host/dev-ca';
import { configureAcmeHttp } from '../../../../shared/issuers/acme/acme-http';
import { ariCertIdOfCertificate } from '../../../../shared/crypto/ari-cert-id';
import { emptySans } from '../../../../shared/crypto/certificate-profile';
import { generateKeyPair } from '../../../../shared/crypto/key-pair';
import { signCertificate } from '../../../../shared/crypto/sign-certificate';
import type { IssuerObject } from '../../../../shared/domain/issuer';
import { acmeProvider } from '../../../../shared/issuers/acme/acme-provider';
import { retryAfterOf } from '../../../../shared/issuers/acme/renewal-info';
import { MemoryAcmeAccounts, MemoryHttp01Answers } from '../../../helpers/memory-storage/acme';

/**
 * The ACME provider's side of RFC 9773 on the wire, against a small local CA directory: the renewalInfo URL read
 * from the directory, GET {renewalInfo}/{certID} for the certificate's own certID, the window and Retry-After
 * read from the answer, and no ARI from a directory without renewalInfo. Over HTTPS, as an ACME directory must
 * be, trusted as ACME_CA_BUNDLE trusts a private CA.
 */
interface Fake {
  directory: Record<string, unknown>;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  asked: string[];
}

describe('the ACME provider\'s renewal information', () => {
  let server: Server;
  let origin: string;
  const fake: Fake = { directory: {}, status: 200, body: {}, headers: {}, asked: [] };

  const dir = mkdtempSync(join(tmpdir(), 'ari-fake-'));

  beforeAll(async () => {
    const tls = await ensureDevTlsCredentials({ dir, keyEncryptionKey: randomBytes(32), log: () => undefined });
    configureAcmeHttp({ caBundlePem: readFileSync(tls.caCertificateFile, 'utf8') });
    server = createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
      const path = request.url ?? '';
      if (path === '/dir') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fake.directory));
      if (path.startsWith('/renewal-info/')) {
        fake.asked.push(path.slice('/renewal-info/'.length));
        return void response.writeHead(fake.status, { 'content-type': 'application/json', ...fake.headers }).end(JSON.stringify(fake.body));
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    configureAcmeHttp({});
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const provider = acmeProvider({ accounts: new MemoryAcmeAccounts(), http01: new MemoryHttp01Answers(), keyEncryptionKey: randomBytes(32), passwordBinding: (n) => n });
  const issuer = (): IssuerObject => ({ name: 'le', provider: 'ACME', accountId: `${origin}/dir`, adminContacts: [], enabled: true, created: 0, updated: 0 });

  async function leaf(): Promise<Buffer> {
    const spec = { kty: 'EC', curve: 'P-256' } as const;
    const keys = await generateKeyPair(spec);
    const profile = { subject: 'CN=web.example', sans: emptySans(), ekus: [], keyUsage: ['digitalSignature' as const] };
    const der = await signCertificate({ subjectPublicKeySpki: keys.publicKeySpki, profile, notBefore: new Date(), notAfter: new Date(Date.now() + 90 * 86_400_000), signer: { privateKeyPkcs8: keys.privateKeyPkcs8, spec } });
    return Buffer.from(der);
  }

  it('asks the directory\'s renewalInfo for the certificate\'s certID and reads the window, its explanation and Retry-After', async () => {
    const certificate = await leaf();
    fake.directory = { newNonce: `${origin}/nonce`, renewalInfo: `${origin}/renewal-info` };
    fake.body = { suggestedWindow: { start: '2026-03-01T00:00:00Z', end: '2026-03-03T12:00:00+00:00' }, explanationURL: 'https://ca.example/incident' };
    fake.headers = { 'retry-after': '21600' };
    expect(await provider.renewalInfo!(issuer(), certificate)).toEqual({
      start: Date.parse('2026-03-01T00:00:00Z') / 1000,
      end: Date.parse('2026-03-03T12:00:00Z') / 1000,
      explanationUrl: 'https://ca.example/incident',
      retryAfterSeconds: 21600,
    });
    expect(fake.asked.at(-1)).toBe(ariCertIdOfCertificate(certificate));
  });

  it('fails on a window that ends before it starts or an answer that is not one, for the check to ask again later', async () => {
    fake.directory = { renewalInfo: `${origin}/renewal-info` };
    fake.body = { suggestedWindow: { start: '2026-03-03T00:00:00Z', end: '2026-03-01T00:00:00Z' } };
    await expect(provider.renewalInfo!(issuer(), await leaf())).rejects.toThrow(/ends before it starts/);
    fake.body = { suggestedWindow: { start: 'soon' } };
    await expect(provider.renewalInfo!(issuer(), await leaf())).rejects.toThrow();
  });

  it('answers nothing, asking nothing more, when the directory offers no renewalInfo', async () => {
    fake.directory = { newNonce: `${origin}/nonce` };
    const before = fake.asked.length;
    expect(await provider.renewalInfo!(issuer(), await leaf())).toBeUndefined();
    expect(fake.asked.length).toBe(before);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterOf('3600', now)).toBe(3600);
    expect(retryAfterOf('Thu, 01 Jan 2026 02:00:00 GMT', now)).toBe(7200);
    expect(retryAfterOf('whenever', now)).toBeUndefined();
    expect(retryAfterOf(undefined, now)).toBeUndefined();
  });
});
