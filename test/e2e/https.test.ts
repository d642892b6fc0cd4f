import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { CertificateClient, WellKnownIssuer } from '@azure/keyvault-certificates';
import { API_VERSION } from '../helpers/raw-client';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/** The service over HTTPS, trusted through the dev CA file alone: what the SDK users of `npm start` do. */
let service: ServiceUnderTest;
let ca: string;

beforeAll(async () => {
  service = await startService();
  ca = readFileSync(service.caCertFile, 'utf8');
});

afterAll(async () => {
  await service?.stop();
});

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** Node's own https with the CA as its only extra trust (no NODE_TLS_REJECT_UNAUTHORIZED tricks). */
function send(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Response> {
  const url = new URL(`${service.httpsUrl}${path}?api-version=${API_VERSION}`);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ca,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

it('exposes an https origin and the CA file that vouches for it', () => {
  expect(service.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
});

it('answers the bearer challenge over HTTPS', async () => {
  const response = await send('GET', '/certificates/https-challenge/');
  expect(response.status).toBe(401);
  expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
});

it('creates over HTTPS and hands out https ids and Location', async () => {
  const response = await send('POST', '/certificates/https-raw/create', {
    token: await service.token(),
    body: { policy: { x509_props: { subject: 'CN=https-raw' }, issuer: { name: 'Self' } } },
  });
  expect(response.status).toBe(202);
  expect(response.headers.location).toMatch(new RegExp(`^${service.httpsUrl}/certificates/https-raw/pending\\?`));
  expect(response.body.id).toBe(`${service.httpsUrl}/certificates/https-raw/pending`);
});

it('serves the JS SDK over HTTPS with the CA as its only extra trust', async () => {
  const client = new CertificateClient(service.httpsUrl, service.credential, {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca },
  });
  const poller = await client.beginCreateCertificate('https-sdk', { issuerName: WellKnownIssuer.Self, subject: 'CN=https-sdk' }, { intervalInMs: 100 });
  const certificate = await poller.pollUntilDone();
  expect(certificate.properties.id).toMatch(new RegExp(`^${service.httpsUrl}/certificates/https-sdk/[0-9a-f]{32}$`));
  expect(certificate.keyId).toMatch(new RegExp(`^${service.httpsUrl}/keys/https-sdk/`));
  expect(certificate.secretId).toMatch(new RegExp(`^${service.httpsUrl}/secrets/https-sdk/`));
});
