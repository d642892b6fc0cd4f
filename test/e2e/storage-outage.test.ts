import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzurite, type RunningAzurite } from '../../scripts/local-host/azurite';
import { findFreePort } from '../../scripts/local-host/ports';
import { rawClient, type RawClient, type RawResponse } from '../helpers/raw-client';
import { eventually, startService, type ServiceUnderTest } from '../helpers/service-under-test';

/**
 * Storage outage (issue 11): Azurite stopped mid-run and started again on the same data and ports. Requests
 * during the outage are answered 503 ServiceUnavailable with Retry-After (never a 500, never storage's text);
 * creates accepted before it complete after it, once each; the service recovers without a restart.
 */
const ACCEPTED_BEFORE = 4;
/** The accepted creates' jobs come due during the outage or just after it, not before. */
const ISSUANCE_MIN_SECONDS = 2;

let dataDir: string;
let ports: { queue: number; table: number };
let azurite: RunningAzurite | undefined;
let service: ServiceUnderTest;
let kv: RawClient;

const startStorage = () => startAzurite({ location: path.join(dataDir, 'azurite'), ports });
const create = (name: string) =>
  kv.request('POST', `/certificates/${name}/create`, { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: `CN=${name}` }, issuer: { name: 'Self' } } });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'storage-outage-'));
  ports = { queue: await findFreePort(), table: await findFreePort() };
  azurite = await startStorage();
  service = await startService({
    CertStorage: azurite.connectionString,
    AzureWebJobsStorage: azurite.connectionString,
    ISSUANCE_MIN_SECONDS: String(ISSUANCE_MIN_SECONDS),
  });
  kv = rawClient(service.url, () => service.token());
});

afterAll(async () => {
  await service?.stop();
  await azurite?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function expectUnavailable(response: RawResponse, what: string): void {
  const summary = `${what}: ${response.status} ${JSON.stringify(response.body)}`;
  expect({ summary, status: response.status }).toEqual({ summary, status: 503 });
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(response.body).toEqual({ error: { code: 'ServiceUnavailable', message: expect.any(String) } });
  expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|azurite|table|queue|\bat /i);
}

it('answers 503 with Retry-After while storage is down, and finishes what it accepted before, once, when storage returns', async () => {
  const accepted = Array.from({ length: ACCEPTED_BEFORE }, (_, i) => `outage-before-${i}`);
  for (const response of await Promise.all(accepted.map(create))) expect(response.status).toBe(202);

  await azurite?.stop();
  azurite = undefined;
  const during = await Promise.all([
    kv.request('GET', `/certificates/${accepted[0]}/pending`),
    kv.request('GET', '/certificates'),
    create('outage-during'),
    kv.request('PUT', '/certificates/contacts', { contacts: [{ email: 'ops@example.com' }] }),
  ]);
  during.forEach((response, i) => expectUnavailable(response, `request ${i} during the outage`));

  azurite = await startStorage();
  const ended = await Promise.all(
    accepted.map((name) =>
      eventually(`${name} to end`, async () => {
        const pending = await kv.request('GET', `/certificates/${name}/pending`);
        return pending.status === 200 && pending.body.status !== 'inProgress' ? (pending.body.status as string) : undefined;
      }, 30_000),
    ),
  );
  expect(ended).toEqual(accepted.map(() => 'completed'));
  // Once each: a job retried across the outage made no second version.
  for (const name of accepted) {
    const versions = await kv.request('GET', `/certificates/${name}/versions`);
    expect((versions.body.value as unknown[]).length).toBe(1);
  }
  // The create refused during the outage left nothing behind, and is accepted now: no restart was needed.
  expect((await kv.request('GET', '/certificates/outage-during/pending')).status).toBe(404);
  expect((await create('outage-during')).status).toBe(202);
});
