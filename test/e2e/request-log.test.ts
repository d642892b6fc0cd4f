import { request as httpRequest } from 'node:http';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/** What an operator reads: one line per request, with what happened, and nothing secret. */
let service: ServiceUnderTest;
const lines: string[] = [];

beforeAll(async () => {
  service = await startService({ LOG_LEVEL: 'info' }, { log: (line) => lines.push(line) });
});
afterAll(() => service?.stop());

const linesFor = (fragment: string) => lines.filter((line) => line.includes(fragment));

it('logs a refused request: method, path, 401, duration and the x-ms-request-id the caller got', async () => {
  const response = await fetch(`${service.url}/certificates/log-401/pending?api-version=7.5`);
  expect(response.status).toBe(401);
  const requestId = response.headers.get('x-ms-request-id') ?? '';
  expect(requestId).not.toBe('');
  const [line] = await eventually('the request line', async () => (linesFor(requestId).length > 0 ? linesFor(requestId) : undefined));
  expect(line).toMatch(new RegExp(`GET /certificates/log-401/pending 401 \\d+ ms x-ms-request-id=${requestId} audit=\\{`));
});

it('logs a create with its status, and never the token or the query', async () => {
  const token = await service.token();
  const response = await fetch(`${service.url}/certificates/log-create/create?api-version=7.5&secret-ish=query-value`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=log' } } }),
  });
  expect(response.status).toBe(202);
  const requestId = response.headers.get('x-ms-request-id') ?? '';
  const [line] = await eventually('the request line', async () => (linesFor(requestId).length > 0 ? linesFor(requestId) : undefined));
  expect(line).toMatch(/POST \/certificates\/log-create\/create 202 \d+ ms/);
  // The audit record of a success: who (the token's subject), what, on which object, and how it ended.
  expect(JSON.parse(/ audit=(\{.*\})$/.exec(line ?? '')?.[1] ?? 'null')).toMatchObject({
    requestId,
    operation: 'certificateCreate',
    action: 'Microsoft.KeyVault/vaults/certificates/create/action',
    objectName: 'log-create',
    status: 202,
    result: 'succeeded',
    caller: { oid: 'local-user', tenantId: 'local' },
  });
  expect(lines.join('\n')).not.toContain(token);
  expect(lines.join('\n')).not.toContain('query-value');
});

it('logs a request for an unknown path, which the catch-all answers (401 without a token, 404 with one)', async () => {
  const refused = await fetch(`${service.url}/no/such/route?api-version=7.5`);
  expect(refused.status).toBe(401);
  const token = await service.token();
  const unknown = await fetch(`${service.url}/no/such/route?api-version=7.5`, { headers: { authorization: `Bearer ${token}` } });
  expect(unknown.status).toBe(404);
  const requestId = unknown.headers.get('x-ms-request-id') ?? '';
  const [line] = await eventually('the request line', async () => (linesFor(requestId).length > 0 ? linesFor(requestId) : undefined));
  expect(line).toMatch(/GET \/no\/such\/route 404 \d+ ms/);
});

it('logs requests that reach no function at all (a method even the catch-all does not take)', async () => {
  // fetch refuses TRACE, so a raw request; the host answers it itself, as Azure's would.
  const status = await new Promise<number>((resolve, reject) => {
    const { hostname, port } = new URL(service.url);
    const req = httpRequest({ host: hostname, port, method: 'TRACE', path: '/no/such/route' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(405);
  await eventually('the unrouted line', async () => (linesFor('TRACE /no/such/route 405').length > 0 ? true : undefined));
});

it('says nothing alarming about the normal end of a Self job, and no invocation chatter at info', async () => {
  const token = await service.token();
  const created = await fetch(`${service.url}/certificates/log-self/create?api-version=7.5`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=log-self' } } }),
  });
  expect(created.status).toBe(202);
  // The queued job issues the Self certificate and says so once, at info.
  await eventually('the issuer job line', async () => (linesFor('Issuer job for log-self').length > 0 ? true : undefined));
  expect(linesFor('Issuer job for log-self')).toEqual([expect.stringMatching(/\[information\] Issuer job for log-self \([0-9a-f]{32}\): issued$/)]);
  const text = lines.join('\n');
  expect(text).not.toMatch(/dropped/i);
  expect(text).not.toMatch(/Executing '/);
  expect(text).not.toMatch(/\[(warning|error)\]/);
});
