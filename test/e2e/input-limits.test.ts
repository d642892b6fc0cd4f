import { request as httpRequest } from 'node:http';
import { keyVaultRouteRegistrations } from '../../functions/http/register-route';
import { listFunctionModules, loadFunctionModules } from '../../scripts/local-host/load-functions';
import { API_VERSION, type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/**
 * Input limits, enforced before work (issue 11): a body too large is refused from its declared length or as it
 * streams, a request without a token is answered without its body being read, and every field is bounded.
 */
let service: ServiceUnderTest;
let kv: RawClient;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
});
afterAll(() => service?.stop());

interface PartialAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Bytes of the body the client had written when the answer came. */
  sent: number;
}

/**
 * Sends the headers and `send` bytes of a body, then waits for the answer without finishing the body: an
 * answer proves the service decided without reading the rest (it cannot have read what was never sent).
 * `chunked` sends no Content-Length.
 */
function answerBeforeBodyEnds(
  path: string,
  options: { token?: string; declaredLength?: number; send: number; chunkBytes?: number },
): Promise<PartialAnswer> {
  const url = new URL(`${service.url}${path}?api-version=${API_VERSION}`);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.declaredLength !== undefined ? { 'content-length': String(options.declaredLength) } : { 'transfer-encoding': 'chunked' }),
        },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, sent });
        });
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(options.chunkBytes ?? 64 * 1024, 'a');
    const writeMore = (): void => {
      while (!answered && sent < options.send) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.send - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', writeMore);
          return;
        }
      }
    };
    req.flushHeaders();
    writeMore();
  });
}

describe('request body limit', () => {
  it('refuses a body declared larger than 1 MiB with 413 in Key Vault envelope, before it is sent', async () => {
    const answer = await answerBeforeBodyEnds('/certificates/big/create', { token: await service.token(), declaredLength: 20 * 1024 * 1024, send: 0 });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ error: { code: 'RequestBodyTooLarge', message: expect.stringContaining('1048576 bytes') } });
  });

  it('refuses a chunked body once it passes 1 MiB, without waiting for its end', async () => {
    // 8 MiB are offered; the answer comes once a little over 1 MiB has arrived (the client stops at the answer).
    const answer = await answerBeforeBodyEnds('/certificates/big/import', { token: await service.token(), send: 8 * 1024 * 1024 });
    expect(answer.status).toBe(413);
    expect((answer.body.error as { code: string }).code).toBe('RequestBodyTooLarge');
    expect(answer.sent).toBeLessThan(8 * 1024 * 1024);
  });

  it('answers a request without a token 401 without reading its body', async () => {
    const answer = await answerBeforeBodyEnds('/certificates/big/create', { declaredLength: 95 * 1024 * 1024, send: 1024 });
    expect(answer.status).toBe(401);
    expect(answer.sent).toBe(1024);
  });

  it('refuses a body declared larger than the host takes (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT) before any function runs', async () => {
    const answer = await answerBeforeBodyEnds('/certificates/big/create', { declaredLength: 200 * 1024 * 1024, send: 0 });
    expect(answer.status).toBe(413);
    expect((answer.body.error as { code: string }).code).toBe('RequestBodyTooLarge');
  });

  it('keeps the connection usable after a 401 whose body was never read', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const refused = await fetch(`${service.url}/certificates/big/create?api-version=${API_VERSION}`, { method: 'POST', body: big });
    expect(refused.status).toBe(401);
    expect((await kv.request('GET', '/certificates/never-there')).status).toBe(404);
  });

  it('lets restore take a backup blob larger than 1 MiB (its own limit), and judges the blob itself', async () => {
    const response = await kv.request('POST', '/certificates/restore', { value: 'A'.repeat(2 * 1024 * 1024) });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'BadParameter', message: 'Backup blob contains invalid or corrupt version.' } });
  });
});

/** `count` distinct strings of exactly `length` characters, from `make(i)` padded with 'x'. */
const padded = (count: number, length: number, make: (i: number) => string, pad: (s: string, n: number) => string) =>
  Array.from({ length: count }, (_, i) => pad(make(i), length));

describe('per-field limits', () => {
  const policyWith = (x509: Record<string, unknown>) => ({ policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=limits', ...x509 } } });

  it.each([
    ['a subject over 1024 characters', policyWith({ subject: `CN=${'s'.repeat(15_000)}` }), 'policy.x509_props.subject: subject must be at most 1024 characters'],
    ['more than 100 SANs', policyWith({ sans: { dns_names: Array.from({ length: 1000 }, (_, i) => `n${i}.example`) } }), 'dns_names must have at most 100 entries'],
    ['a SAN over 255 characters', policyWith({ sans: { uris: [`https://${'u'.repeat(300)}`] } }), 'each of uris must be at most 255 characters'],
    [
      'SANs over 4096 characters in all',
      policyWith({ sans: { dns_names: Array.from({ length: 50 }, (_, i) => `${'d'.repeat(90)}${i}.example`) } }),
      'sans must hold at most 100 names of at most 4096 characters in all',
    ],
    ['16 tags', { tags: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, 'v'])) }, 'tags: at most 15 tags are allowed'],
    ['a tag value over 256 characters', { tags: { t: 'v'.repeat(257) } }, 'a tag value must be at most 256 characters'],
    ['a tag name over 512 characters', { tags: { ['n'.repeat(513)]: 'v' } }, 'a tag name must be at most 512 characters'],
    ['21 EKUs', policyWith({ ekus: Array.from({ length: 21 }, (_, i) => `1.3.6.1.4.1.${i}`) }), 'ekus must have at most 20 entries'],
    ['an issuer name over 127 characters', { policy: { issuer: { name: 'i'.repeat(40_000) }, x509_props: { subject: 'CN=x' } } }, 'issuer name must be at most 127 characters'],
  ])('refuses %s with 400 BadParameter naming the field and the limit', async (_what, body, message) => {
    const response = await kv.request('POST', '/certificates/limits-refused/create', body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'BadParameter', message: expect.stringContaining(message) } });
  });

  it('refuses an x5c entry over 16 Ki characters, or more than 10 of them, on merge', async () => {
    const tooLong = await kv.request('POST', '/certificates/limits-refused/pending/merge', { x5c: ['A'.repeat(5 * 1024 * 1024 / 8)] });
    expect(tooLong.status).toBe(400);
    expect((tooLong.body.error as { message: string }).message).toContain('x5c[0]: each x5c entry must be at most 16384 characters');
    const tooMany = await kv.request('POST', '/certificates/limits-refused/pending/merge', { x5c: Array.from({ length: 11 }, () => 'AAAA') });
    expect(tooMany.status).toBe(400);
    expect((tooMany.body.error as { message: string }).message).toContain('x5c: x5c must have at most 10 entries');
  });

  it('refuses an issuer field over its limit', async () => {
    const response = await kv.request('PUT', '/certificates/issuers/limits-issuer', { provider: 'Test', credentials: { account_id: 'a'.repeat(40_000) } });
    expect(response.status).toBe(400);
    expect((response.body.error as { message: string }).message).toContain('credentials.account_id: account_id must be at most 256 characters');
  });

  it('stores a certificate with every field at its limit: the limits fit the table store', async () => {
    const ends = (suffix: string) => (s: string, n: number) => `${s}${'x'.repeat(n - s.length - suffix.length)}${suffix}`;
    const dnsNames = padded(100, 40, (i) => `n${i}-`, ends('.example'));
    const tags = Object.fromEntries(
      padded(15, 512, (i) => `t${i}-`, ends('')).map((name, i) => [name, padded(1, 256, () => `v${i}-`, ends(''))[0] as string]),
    );
    const subject = ['CN', 'O', 'OU', 'L', 'ST', 'C'].map((a) => `${a}=${a === 'C' ? 'NL' : 'x'.repeat(60)}`).join(', ');
    const body = {
      policy: {
        issuer: { name: 'Self' },
        key_props: { kty: 'RSA', key_size: 4096 },
        x509_props: { subject, sans: { dns_names: dnsNames }, ekus: Array.from({ length: 20 }, (_, i) => `1.3.6.1.4.1.311.${i}`) },
      },
      tags,
    };
    const created = await kv.request('POST', '/certificates/limits-max/create', body);
    expect(created.status).toBe(202);
    const done = await eventually('the certificate', async () => {
      const pending = await kv.request('GET', '/certificates/limits-max/pending');
      return pending.body.status === 'inProgress' ? undefined : pending;
    });
    expect(done.body.status).toBe('completed');
    const certificate = await kv.request('GET', '/certificates/limits-max');
    expect(certificate.status).toBe(200);
    expect(Object.keys(certificate.body.tags as object)).toHaveLength(15);
  });
});

// The registrations are read from the function modules, so a route added later is covered without editing this file.
loadFunctionModules(listFunctionModules());
const OPERATIONS = keyVaultRouteRegistrations().filter((r) => !r.route.startsWith('{*'));

/** Segment values that name nothing: path tricks, table-key breakers, filter injection, odd encodings, length. */
const HOSTILE_SEGMENTS = [
  'a%2Fb',
  'a%5Cb',
  'a%23b',
  'a%3Fb',
  '%00',
  // (a bare %2E%2E is resolved by the client's URL parser before it is sent, so it is combined here)
  '..%2F..',
  "x'%20or%20PartitionKey%20ne%20'",
  '%E2%80%AE',
  '%FF%FE',
  'z'.repeat(2000),
];

/** Concrete paths for a template with one parameter set to `value` and every other one to a plausible value. */
function pathsWith(template: string, value: string): string[] {
  const params = [...template.matchAll(/\{(\w+)\??\}/g)].map((m) => m[1] as string);
  return params.map(
    (target) => `/${template.replace(/\{(\w+)\??\}/g, (_all, param: string) => (param === target ? value : param === 'version' ? '0123456789abcdef0123456789abcdef' : 'c1'))}`,
  );
}

const HOSTILE_CASES: [string, string][] = OPERATIONS.flatMap((r) =>
  HOSTILE_SEGMENTS.flatMap((value) => pathsWith(r.route, value).flatMap((path) => r.methods.map((method): [string, string] => [method, path]))),
);

describe('path segments and query values', () => {
  it('covers every operation that takes a path parameter', () => {
    const withParams = OPERATIONS.filter((r) => r.route.includes('{'));
    expect(withParams.length).toBeGreaterThan(20);
    expect(withParams.filter((r) => !HOSTILE_CASES.some(([m, p]) => r.methods.includes(m as never) && p.startsWith(`/${r.route.split('{')[0]}`)))).toEqual([]);
  });

  it(`answers every hostile segment on every route with a 4xx in Key Vault's envelope, never a 5xx (${HOSTILE_CASES.length} requests)`, async () => {
    const token = await service.token();
    const failures: string[] = [];
    // A few at a time: enough to be quick, few enough not to crowd the shared machine.
    for (let i = 0; i < HOSTILE_CASES.length; i += 8) {
      await Promise.all(
        HOSTILE_CASES.slice(i, i + 8).map(async ([method, path]) => {
          const response = await fetch(`${service.url}${path}?api-version=${API_VERSION}`, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
          });
          const text = await response.text();
          const envelope = /^\{"error":\{"code":"\w+","message":/.test(text);
          if (response.status >= 500 || response.status < 400 || !envelope) failures.push(`${method} ${path.slice(0, 120)} → ${response.status} ${text.slice(0, 200)}`);
        }),
      );
    }
    expect(failures).toEqual([]);
  });

  it('answers a version that cannot exist 404 CertificateNotFound, as Key Vault does', async () => {
    for (const path of ['/certificates/c1/a%2Fb', '/secrets/c1/a%2Fb', '/keys/c1/a%2Fb', '/certificates/c1/not-a-version']) {
      const response = await kv.request('GET', path);
      expect([path, response.status]).toEqual([path, 404]);
      expect((response.body.error as { code: string }).code).toMatch(/^(Certificate|Secret|Key)NotFound$/);
    }
  });

  it.each([
    ['/certificates', 'maxresults=0'],
    ['/certificates', 'maxresults=1e3'],
    ['/certificates', 'maxresults=%27'],
    ['/certificates', '$skiptoken=a%2Fb'],
    ['/certificates', `$skiptoken=${'A'.repeat(5000)}`],
    ['/certificates', '$skiptoken=eyJ2IjoxLCJhZnRlciI6ImEvYiJ9'],
    ['/certificates', 'includePending=maybe'],
    ['/deletedcertificates', '$skiptoken=%00'],
    ['/certificates/issuers', "$skiptoken=x'"],
    ['/certificates/c1/versions', '$skiptoken=a%2Fb'],
    ['/secrets/c1', 'outContentType=text%2Fhtml'],
  ])('answers %s?%s with 400 BadParameter', async (path, query) => {
    const response = await kv.request('GET', path, undefined, { query: `api-version=${API_VERSION}&${query}` });
    expect(response.status).toBe(400);
    expect((response.body.error as { code: string }).code).toBe('BadParameter');
  });

  it('answers a request_id that names no request 404, whatever it holds', async () => {
    for (const requestId of ['a%2Fb', '%00', 'x'.repeat(2000)]) {
      const response = await kv.request('GET', '/certificates/c1/pending', undefined, { query: `api-version=${API_VERSION}&request_id=${requestId}` });
      expect(response.status).toBe(404);
    }
  });
});

describe('ids from configuration, not from the Host header', () => {
  /** A request with the Host header a caller chose (fetch will not send one), its status, headers and text. */
  function withHost(method: string, path: string, host: string, token: string, body?: string): Promise<{ status: number; location?: string; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${service.url}${path}?api-version=${API_VERSION}`,
        { method, headers: { host, authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-forwarded-host': host } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}), text: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('never reflects Host: evil.example into Location, id, target or a challenge', async () => {
    const token = await service.token();
    const created = await withHost('POST', '/certificates/host-check/create', 'evil.example', token, JSON.stringify({ policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=h' } } }));
    expect(created.status).toBe(202);
    expect(created.location).toMatch(new RegExp(`^${service.url}/certificates/host-check/pending\\?`));
    const reads = [
      created,
      await withHost('GET', '/certificates/host-check/pending', 'evil.example', token),
      await withHost('GET', '/certificates', 'evil.example', token),
      await withHost('GET', '/certificates/host-check/pending', 'evil.example', ''),
    ];
    for (const read of reads) expect(read.text).not.toContain('evil.example');
    expect(JSON.parse(reads[1]?.text ?? '{}')).toMatchObject({ id: `${service.url}/certificates/host-check/pending` });
  });
});
