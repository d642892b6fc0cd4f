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
  expect(line).toMatch(new RegExp(`GET /certificates/log-401/pending 401 \\d+ ms x-ms-request-id=${requestId}$`));
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
  expect(lines.join('\n')).not.toContain(token);
  expect(lines.join('\n')).not.toContain('query-value');
});

it('logs requests that match no function, which never reach the app', async () => {
  const response = await fetch(`${service.url}/no/such/route?api-version=7.5`);
  expect(response.status).toBe(404);
  await eventually('the unrouted line', async () => (linesFor('GET /no/such/route 404').length > 0 ? true : undefined));
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
