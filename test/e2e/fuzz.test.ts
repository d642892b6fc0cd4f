import { request as httpRequest, Agent } from 'node:http';
import fc from 'fast-check';
import { keyVaultRouteRegistrations } from '../../functions/http/register-route';
import { listFunctionModules, loadFunctionModules } from '../../scripts/local-host/load-functions';
import { API_VERSION, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/**
 * A standing fuzz of every registered route over real HTTP: hostile names and path segments, query strings,
 * headers, bodies (valid ones mutated, garbage, deep nesting, large sizes), each case asserting what a caller
 * may always rely on: never a 5xx, and every refusal in Key Vault's error envelope without internal text.
 *
 * Requests go in batches of BATCH at once, so the service also sees hostile requests side by side. Cases are
 * bounded in number and each in size, so the run is bounded in time; the seed is printed, and a failure names
 * the exact request (fast-check shrinks it first).
 */

loadFunctionModules(listFunctionModules());
const ROUTES = keyVaultRouteRegistrations();

/** 150 batches of 8 (1,200 requests) a run, from a fresh seed each run: depth accumulates across runs; FUZZ_RUNS=300 or more for a deeper one. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const BATCH = 8;
/** Names that exist once setup has run, so that mutations also reach real objects, not only 404s. */
const KNOWN_CERTIFICATE = 'fz-known';
const KNOWN_ISSUER = 'fz-issuer';

let service: ServiceUnderTest;
let token: string;
let templates: Record<string, unknown>;
const agent = new Agent({ keepAlive: true, maxSockets: BATCH });

beforeAll(async () => {
  service = await startService();
  token = await service.token();
  const kv = rawClient(service.url, () => service.token());
  const policy = {
    key_props: { kty: 'EC', crv: 'P-256', exportable: true },
    secret_props: { contentType: 'application/x-pem-file' },
    x509_props: { subject: 'CN=fuzz', sans: { dns_names: ['fuzz.example'] }, validity_months: 12 },
    issuer: { name: 'Self' },
  };
  expect((await kv.request('POST', `/certificates/${KNOWN_CERTIFICATE}/create`, { policy })).status).toBe(202);
  const issuer = { provider: 'Test', credentials: { account_id: 'acct', pwd: 'secret' }, org_details: { id: 'org', admin_details: [{ first_name: 'A', last_name: 'B', email: 'a@b.example', phone: '1' }] }, attributes: { enabled: true } };
  expect((await kv.request('PUT', `/certificates/issuers/${KNOWN_ISSUER}`, issuer)).status).toBe(200);
  const certificate = await eventually('the known certificate to be issued', async () => {
    const response = await kv.request('GET', `/certificates/${KNOWN_CERTIFICATE}`);
    return response.status === 200 ? response.body : undefined;
  });
  const secret = (await kv.request('GET', `/secrets/${KNOWN_CERTIFICATE}`)).body as { value: string };
  const backup = (await kv.request('POST', `/certificates/${KNOWN_CERTIFICATE}/backup`)).body as { value: string };
  const cer = String(certificate.cer);
  templates = {
    create: { policy, attributes: { enabled: true }, tags: { team: 'fuzz' } },
    import: { value: secret.value, policy: { ...policy, key_props: { ...policy.key_props } }, attributes: { enabled: true }, tags: { a: 'b' } },
    merge: { x5c: [cer], attributes: { enabled: true } },
    update: { attributes: { enabled: true, exp: 1_900_000_000 }, tags: { a: 'b' }, policy },
    policy,
    issuer,
    contacts: { contacts: [{ email: 'ops@example.com', name: 'Ops', phone: '555' }] },
    cancel: { cancellation_requested: true },
    restore: { value: backup.value },
    keyOperation: { alg: 'ES256', value: Buffer.alloc(32, 7).toString('base64url'), digest: Buffer.alloc(32, 7).toString('base64url') },
  };
}, 60_000);

afterAll(async () => {
  agent.destroy();
  await service?.stop();
});

/** The template a route's body starts from, by the function that serves it. */
function templateFor(functionName: string): string | undefined {
  const byFunction: Record<string, string> = {
    certificateCreate: 'create',
    certificateImport: 'import',
    pendingMerge: 'merge',
    certificateUpdate: 'update',
    certificatePolicyUpdate: 'policy',
    issuerSet: 'issuer',
    issuerUpdate: 'issuer',
    certificateContacts: 'contacts',
    pendingCancel: 'cancel',
    certificateRestore: 'restore',
  };
  return byFunction[functionName] ?? (functionName.startsWith('key') ? 'keyOperation' : undefined);
}

// ---- what the cases are made of ----------------------------------------------------------------------------

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });

/** Values a hostile caller puts where a field goes. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, 1e308, -1e308)) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 20 }), { maxLength: 50 }) },
  { weight: 1, arbitrary: fc.dictionary(printable, fc.string({ maxLength: 20 }), { maxKeys: 30 }) },
  // Sizes: past a field's limit, past a table property (64 KiB), past an entity (1 MiB).
  { weight: 1, arbitrary: fc.constantFrom(300, 5_000, 70_000, 1_100_000).map((n) => 'A'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 3_000 }).map((n) => Array.from({ length: n }, (_, i) => `n${i}.example`)) },
  { weight: 1, arbitrary: fc.constantFrom('CN=' + 'x'.repeat(20_000), 'CN=a,'.repeat(5_000) + 'CN=b', '%2F', '../..', '\u0000', '😀'.repeat(100)) },
);

/** A path segment: mostly names that exist or could, then the hostile kind. */
const segment = (known: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(known) },
    { weight: 3, arbitrary: fc.stringMatching(/^[a-zA-Z0-9-]{1,24}$/) },
    { weight: 1, arbitrary: fc.constantFrom('0123456789abcdef0123456789abcdef', 'a%2Fb', '%2F', '..', '.', '%00', '%20', '%', '%zz', 'a'.repeat(128), 'a'.repeat(5_000), '%C3%A9t%C3%A9', '%E2%80%AE') },
    { weight: 2, arbitrary: fc.string({ maxLength: 80 }).map((s) => encodeURIComponent(s)) },
  );

const queryValue = fc.oneof(fc.constantFrom('', '0', '-1', '1', '25', '26', '9999999999999', 'true', 'null', '%00', 'a'.repeat(3_000)), printable.map(encodeURIComponent));
const query = fc.record(
  {
    apiVersion: fc.oneof({ weight: 6, arbitrary: fc.constant(API_VERSION) }, { weight: 1, arbitrary: fc.constantFrom('7.0', '7.6', '2025-07-01-preview', '', 'x') }, { weight: 1, arbitrary: fc.constant(undefined) }),
    maxresults: fc.option(queryValue, { nil: undefined }),
    includePending: fc.option(queryValue, { nil: undefined }),
    skiptoken: fc.option(queryValue, { nil: undefined }),
    extra: fc.option(fc.tuple(printable.map(encodeURIComponent), queryValue), { nil: undefined }),
  },
  { requiredKeys: ['apiVersion'] },
).map((q) =>
  [
    q.apiVersion === undefined ? undefined : `api-version=${q.apiVersion}`,
    q.maxresults === undefined ? undefined : `maxresults=${q.maxresults}`,
    q.includePending === undefined ? undefined : `includePending=${q.includePending}`,
    q.skiptoken === undefined ? undefined : `$skiptoken=${q.skiptoken}`,
    q.extra === undefined ? undefined : `${q.extra[0]}=${q.extra[1]}`,
  ]
    .filter((p) => p !== undefined)
    .join('&'),
);

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', undefined);

interface Mutation {
  path: number[];
  action: 'set' | 'delete' | 'add';
  key: string;
  value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
  action: fc.constantFrom('set', 'set', 'set', 'delete', 'add'),
  key: printable,
  value: hostileValue,
});

/** Applies a mutation to a copy of `body`: follows `path` (each number picks one key or index), then acts there. */
function mutate(body: unknown, m: Mutation): unknown {
  const copy = structuredClone(body) as unknown;
  let parent: Record<string, unknown> | unknown[] | undefined;
  let key: string | number | undefined;
  let node = copy;
  for (const step of m.path) {
    if (node === null || typeof node !== 'object') break;
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) break;
    parent = node as Record<string, unknown> | unknown[];
    key = keys[step % keys.length] as string | number;
    node = (parent as Record<string | number, unknown>)[key];
  }
  if (m.action === 'add' && node !== null && typeof node === 'object' && !Array.isArray(node)) {
    (node as Record<string, unknown>)[m.key] = m.value;
  } else if (m.action === 'delete' && parent !== undefined && key !== undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (parent !== undefined && key !== undefined) {
    (parent as Record<string | number, unknown>)[key] = m.value;
  } else {
    return m.value;
  }
  return copy;
}

type BodyPlan =
  | { kind: 'none' }
  | { kind: 'mutated'; mutations: Mutation[] }
  | { kind: 'raw'; text: string }
  | { kind: 'deep'; depth: number }
  | { kind: 'truncated'; at: number };

const bodyPlan: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<BodyPlan>({ kind: 'none' }) },
  { weight: 8, arbitrary: fc.array(mutation, { maxLength: 4 }).map((mutations): BodyPlan => ({ kind: 'mutated', mutations })) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 4 })).map((text): BodyPlan => ({ kind: 'raw', text })) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 100_000 }).map((depth): BodyPlan => ({ kind: 'deep', depth })) },
  { weight: 1, arbitrary: fc.nat().map((at): BodyPlan => ({ kind: 'truncated', at })) },
);

interface FuzzCase {
  route: number;
  method: string | undefined;
  segments: string[];
  query: string;
  contentType: string | undefined;
  clientRequestId: string | undefined;
  body: BodyPlan;
}

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  route: fc.nat({ max: ROUTES.length - 1 }),
  // Mostly the route's own method; now and then one it does not take.
  method: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS') }),
  segments: fc.tuple(segment(KNOWN_CERTIFICATE), segment('0123456789abcdef0123456789abcdef'), segment(KNOWN_ISSUER)),
  query,
  contentType,
  clientRequestId: fc.option(printable, { nil: undefined }),
  body: bodyPlan,
});

// ---- sending a case and judging the answer ----------------------------------------------------------------

interface Sent {
  method: string;
  path: string;
  bodyBytes: number;
}

function requestOf(c: FuzzCase): Sent & { body: Buffer | undefined; headers: Record<string, string> } {
  const route = ROUTES[c.route]!;
  const method = c.method ?? route.methods[0] ?? 'GET';
  const [name, version, issuer] = c.segments as [string, string, string];
  const path =
    '/' +
    route.route
      .replace(/\{\*\w+\}/, `no/such/${name}`)
      .replace(/\{version\??\}/, version)
      .replace(/\{issuer\}/, issuer)
      .replace(/\{token\}/, name)
      .replace(/\{name\}/, name);
  const template = templateFor(route.name);
  const base = template ? templates[template] : {};
  let text: string | undefined;
  switch (c.body.kind) {
    case 'none':
      text = undefined;
      break;
    case 'mutated':
      text = JSON.stringify(c.body.mutations.reduce((body, m) => mutate(body, m), base));
      break;
    case 'raw':
      text = c.body.text;
      break;
    case 'deep':
      text = `{"policy":${'['.repeat(c.body.depth)}${']'.repeat(c.body.depth)}}`;
      break;
    case 'truncated': {
      const whole = JSON.stringify(base);
      text = whole.slice(0, c.body.at % Math.max(1, whole.length));
      break;
    }
  }
  const body = text === undefined ? undefined : Buffer.from(text);
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (c.contentType) headers['Content-Type'] = c.contentType;
  if (c.clientRequestId !== undefined) headers['x-ms-client-request-id'] = c.clientRequestId;
  return { method, path: `${path}?${c.query}`, body, headers, bodyBytes: body?.length ?? 0 };
}

interface Answer {
  status: number;
  text: string;
  contentType: string;
  retryAfter?: string;
}

function send(r: ReturnType<typeof requestOf>): Promise<Answer> {
  const url = new URL(service.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { agent, host: url.hostname, port: url.port, method: r.method, path: r.path, headers: { ...r.headers, ...(r.body ? { 'Content-Length': String(r.body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? ''), retryAfter: res.headers['retry-after'] }),
        );
        res.on('error', reject);
      },
    );
    // The service may answer (413, 401) and close before it has read a large body: that is a valid answer.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: -1, text: '', contentType: '' }) : reject(error)));
    req.end(r.body);
  });
}

/** What is wrong with an answer, or undefined when a caller could rely on it. */
function problemWith(sent: Sent, answer: Answer): string | undefined {
  if (answer.status === -1) return undefined; // connection closed after an early answer, see send()
  // Storage that did not answer in time (a loaded machine) is told as 503 + Retry-After: the service's answer to
  // its storage, not to the input. It is counted and printed, not failed; any other 5xx fails.
  if (answer.status === 503 && answer.retryAfter && /"code":"ServiceUnavailable"/.test(answer.text)) return undefined;
  if (answer.status >= 500) return `${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400 || sent.method === 'HEAD') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}`;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
  if (typeof error?.code !== 'string' || !error.code || typeof error.message !== 'string') return `${answer.status} without Key Vault's envelope: ${answer.text.slice(0, 200)}`;
  if (/\n\s+at |node_modules|\.ts:\d+|Azurite|TableService|RestError/.test(error.message)) return `${answer.status} leaks internal text: ${error.message.slice(0, 200)}`;
  return undefined;
}

const statusCounts = new Map<number, number>();
let requestsSent = 0;
let bytesSent = 0;

test(`every route answers ${RUNS * BATCH} fuzzed requests without a 5xx and in Key Vault's envelope`, async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const started = Date.now();
  let failure: string | undefined;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(fuzzCase, { minLength: BATCH, maxLength: BATCH }), async (cases) => {
        const requests = cases.map(requestOf);
        const answers = await Promise.all(requests.map(send));
        requestsSent += requests.length;
        for (const [i, answer] of answers.entries()) {
          statusCounts.set(answer.status, (statusCounts.get(answer.status) ?? 0) + 1);
          bytesSent += requests[i]!.bodyBytes;
          const problem = problemWith(requests[i]!, answer);
          if (problem) {
            failure = `${requests[i]!.method} ${requests[i]!.path.slice(0, 300)} (${requests[i]!.bodyBytes} bytes of body) → ${problem}`;
            return false;
          }
        }
        return true;
      }),
      { numRuns: RUNS, seed, endOnFailure: true, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true },
    );
  } finally {
    const histogram = [...statusCounts.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status === -1 ? 'closed-early' : status}: ${n}`);
    process.stdout.write(
      `fuzz: seed ${seed}, ${requestsSent} requests (${(bytesSent / 2 ** 20).toFixed(1)} MiB of bodies) over ${ROUTES.length} routes in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `statuses ${histogram.join(', ')}; 5xx other than storage-busy 503: ${failure?.includes('→ 5') ? 1 : 0}` +
        `${failure ? `\nfuzz: last failing request: ${failure}` : ''}\n`,
    );
  }
}, 180_000);
