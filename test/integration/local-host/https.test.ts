import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { ensureDevTlsCredentials, TLS_VALIDITY_DAYS, type DevTlsCredentials } from '../../../scripts/local-host/dev-ca';
import { startLocalHost, type LocalHost } from '../../../scripts/local-host/host';
import { PortInUseError } from '../../../scripts/local-host/http-server';

/** The local host's HTTPS side: same routes, https URLs for functions, a certificate clients verify, renewal without restart. */

const FIXTURES = path.join(__dirname, 'fixtures');
const DAY_MS = 86_400_000;

interface HttpsResponse {
  status: number;
  text: string;
  peer: PeerCertificate;
}

/** One request on a fresh connection (no agent), so every call sees the certificate the server serves now. */
function get(port: number, pathAndQuery: string, ca: string | undefined, servername = 'localhost'): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, servername, path: pathAndQuery, agent: false, ...(ca ? { ca } : {}) }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerCertificate();
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), peer }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local host: HTTPS', () => {
  let dir: string;
  let host: LocalHost;
  let ca: string;
  const keyEncryptionKey = randomBytes(32);
  /**
   * The clock the provider issues with. The host starts with a certificate issued long enough ago that it is
   * still valid but inside the renewal window; the renewal test then moves the clock to today.
   */
  let now = new Date(Date.now() - (TLS_VALIDITY_DAYS - 10) * DAY_MS);
  const provider = (): Promise<DevTlsCredentials> => ensureDevTlsCredentials({ dir, keyEncryptionKey, clock: () => now, log: () => undefined });

  beforeAll(async () => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'local-host-https-')), 'dev-ca');
    host = await startLocalHost({
      port: 0,
      https: { port: 0, credentials: provider },
      functionModules: [path.join(FIXTURES, 'http-functions.ts')],
      hostJsonPath: path.join(FIXTURES, 'host.json'),
      log: () => undefined,
    });
    ca = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  });

  afterAll(async () => {
    await host?.stop();
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('serves the same routes over HTTPS, and functions see an https request URL', async () => {
    expect(host.httpsUrl).toBe(`https://127.0.0.1:${host.httpsPort}`);
    const response = await get(host.httpsPort ?? 0, '/fixture/echo/tls?api-version=7.5', ca);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ url: `https://127.0.0.1:${host.httpsPort}/fixture/echo/tls?api-version=7.5`, params: { name: 'tls' } });
    expect(response.peer.subject.CN).toBe('localhost');

    // Plain HTTP stays, and stays http.
    const plain = (await (await fetch(`${host.url}/fixture/echo/plain`)).json()) as { url: string };
    expect(plain.url).toBe(`${host.url}/fixture/echo/plain`);
  });

  it('is trusted through the CA file only: without it the client refuses the certificate', async () => {
    await expect(get(host.httpsPort ?? 0, '/fixture/echo/x', undefined)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    // The certificate names localhost and the loopback IPs, nothing else.
    await expect(get(host.httpsPort ?? 0, '/fixture/echo/x', ca, 'example.com')).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('swaps in a renewed certificate without a restart, and only when there is one', async () => {
    const before = await get(host.httpsPort ?? 0, '/fixture/echo/x', ca);
    expect(await host.recheckTlsCredentials()).toBe(false);

    now = new Date();
    expect(await host.recheckTlsCredentials()).toBe(true);
    const after = await get(host.httpsPort ?? 0, '/fixture/echo/x', ca);
    expect(after.status).toBe(200);
    expect(after.peer.fingerprint256).not.toBe(before.peer.fingerprint256);
    expect(new Date(after.peer.valid_to).getTime()).toBeGreaterThan(new Date(before.peer.valid_to).getTime());
  });

  it('names the HTTPS port when it is taken', async () => {
    const attempt = startLocalHost({
      port: 0,
      https: { port: host.httpsPort ?? 0, credentials: provider },
      functionModules: [path.join(FIXTURES, 'http-functions.ts')],
      hostJsonPath: path.join(FIXTURES, 'host.json'),
      log: () => undefined,
    });
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toMatchObject({ scheme: 'https', port: host.httpsPort, message: expect.stringMatching(/HTTPS port \d+ .* already in use/) });
  });
});
