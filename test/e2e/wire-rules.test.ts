import { createPrivateKey } from 'node:crypto';
import { LOCAL_ISSUER } from '../../shared/auth/constants';
import { loadJose } from '../../shared/auth/jose';
import { issueLocalToken, readLocalSigningKey } from '../../shared/auth/local-signing-key';
import { DEFAULT_AUDIENCE } from '../../shared/config';
import { SUPPORTED_API_VERSIONS } from '../../shared/api/api-version';
import { ALL_TABLES } from '../../shared/names';
import { keyVaultRouteRegistrations } from '../../functions/http/register-route';
import { RouteTable } from '../../functions/http/route-table';
import { listFunctionModules, loadFunctionModules } from '../../scripts/local-host/load-functions';
import { type RawClient, API_VERSION, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/** The rules of the wire contract that hold on every route: authentication first, api-version, names, bodies. */
let service: ServiceUnderTest;
let kv: RawClient;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
});

afterAll(async () => {
  await service?.stop();
});

// The function modules register while this file is read, so the cases below are listed from the registrations:
// a route added later is covered without editing this file (the service started below loads the same modules).
loadFunctionModules(listFunctionModules());

/** Concrete paths for a template: optional parameters present, and absent with and without the trailing slash (JS and Python send it, .NET does not). */
function samplePaths(template: string): string[] {
  const filled = (optional: string) =>
    `/${template
      .replace(/\{\*+\w+\}/g, 'no/such/path')
      .replace(/\/?\{\w+\?\}/g, optional)
      .replace(/\{(\w+)\}/g, (_all, name: string) => (name === 'issuer' ? 'i1' : 'c1'))}`;
  return [...new Set([filled('/0123456789abcdef0123456789abcdef'), filled('/'), filled('')])];
}

const ROUTES = keyVaultRouteRegistrations();
const CATCH_ALL = ROUTES.filter((r) => r.route.startsWith('{*'));
const OPERATIONS = ROUTES.filter((r) => !r.route.startsWith('{*'));
const operationTable = new RouteTable(OPERATIONS.map((r) => ({ functionName: r.name, template: r.route, methods: r.methods })));

/** Every method of every operation on its own paths; and what only the catch-all answers: unknown paths, and known paths under a method no operation takes there. */
const EVERY_ROUTE: [string, string][] = [
  ...OPERATIONS.flatMap((r) => samplePaths(r.route).flatMap((path) => r.methods.map((method): [string, string] => [method, path]))),
  ...CATCH_ALL.flatMap((r) => r.methods.map((method): [string, string] => [method, '/no/such/path'])),
  ...OPERATIONS.flatMap((r) =>
    samplePaths(r.route).flatMap((path) => {
      const wrong = ['DELETE', 'PUT', 'POST', 'PATCH'].find((method) => operationTable.match(method, path).kind === 'methodNotAllowed');
      return wrong ? [[wrong, path] as [string, string]] : [];
    }),
  ),
].filter(([method, path], index, all) => all.findIndex(([m, p]) => m === method && p === path) === index);

describe('authentication comes first', () => {
  it.each(EVERY_ROUTE)('%s %s without a token answers the Key Vault bearer challenge', async (method, path) => {
    // The SDK's first request: no Authorization header, and an empty body even for POST/PUT/PATCH.
    const response = await fetch(`${service.url}${path}?api%2Dversion=${API_VERSION}`, {
      method,
      headers: method === 'GET' || method === 'DELETE' ? {} : { 'Content-Type': 'application/json', 'Content-Length': '0' },
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer authorization="https?:\/\/[^"\s]+\/[^"\s]+", resource="https:\/\/vault\.azure\.net"$/);
    // A HEAD answer has no body to read.
    if (method !== 'HEAD') {
      expect(await response.json()).toEqual({ error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } });
    }
  });

  it('covers every registered route, the catch-all and a wrong method on known paths', () => {
    expect(CATCH_ALL.map((r) => r.name)).toEqual(['unmatchedRoute']);
    const uncovered = OPERATIONS.filter((r) => !EVERY_ROUTE.some(([m, p]) => (r.methods as readonly string[]).includes(m) && samplePaths(r.route).includes(p)));
    expect(uncovered.map((r) => r.name)).toEqual([]);
    expect(EVERY_ROUTE.filter(([m, p]) => operationTable.match(m, p).kind === 'methodNotAllowed').length).toBeGreaterThan(5);
  });

  it('refuses an expired token, a token for another audience and a forged signature', async () => {
    const jose = await loadJose();
    const key = await readLocalSigningKey(service.keyFile);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new jose.SignJWT({ sub: 'someone' })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(DEFAULT_AUDIENCE)
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(await jose.importJWK(key.privateJwk, 'ES256'));
    const otherAudience = await issueLocalToken(service.keyFile, { audience: 'https://some-other-api.example' });
    const forged = `${(await service.token()).slice(0, -4)}AAAA`;
    for (const token of [expired, otherAudience, forged]) {
      const r = await kv.request('GET', '/certificates/c1/', undefined, { token });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer authorization="/);
      expect((r.body.error as { code: string }).code).toBe('Unauthorized');
      expect(JSON.stringify(r.body)).not.toContain(token);
    }
  });
});

describe('paths and methods no operation takes', () => {
  it('answers an unknown path with a 404 that names it, never CertificateNotFound', async () => {
    for (const [method, path] of [
      ['GET', '/keys'],
      ['POST', '/keys/k1/0123456789abcdef0123456789abcdef/sign/extra'],
      ['POST', '/keys/k1/0123456789abcdef0123456789abcdef/export'],
      ['GET', '/certificates/c1/0123456789abcdef0123456789abcdef/extra'],
      ['GET', '/'],
    ] as const) {
      const r = await kv.request(method, path);
      expect({ method, path, status: r.status, body: r.body }).toEqual({
        method,
        path,
        status: 404,
        body: { error: { code: 'NotFound', message: `The path ${path} does not match any operation of this service.` } },
      });
    }
  });

  it('answers a known path under a method it does not take with 405 naming the method, and the methods it takes in Allow', async () => {
    const r = await kv.request('PUT', '/certificates/c1/pending', {});
    expect(r.status).toBe(405);
    expect(r.body).toEqual({ error: { code: 'MethodNotAllowed', message: 'HTTP PUT not allowed' } });
    expect(r.headers.get('allow')).toBe('DELETE, GET, PATCH');
  });

  it('answers an empty certificate name as Key Vault does (its recording: 405 "HTTP POST not allowed")', async () => {
    const r = await kv.request('POST', '/certificates//create', { policy: { issuer: { name: 'Self' } } });
    expect(r.status).toBe(405);
    expect(r.body).toEqual({ error: { code: 'MethodNotAllowed', message: 'HTTP POST not allowed' } });
  });

  it('answers /certificates/{name}/policy as the policy route, not as a version named "policy"', async () => {
    const r = await kv.request('GET', '/certificates/no-such-cert/policy');
    expect(r.status).toBe(404);
    expect(r.body.error).toEqual({
      code: 'CertificateNotFound',
      message: expect.stringMatching(/^A certificate with \(name\/id\) no-such-cert was not found in this key vault\./),
    });
    expect((await kv.request('PATCH', '/certificates/no-such-cert/policy', { x509_props: { subject: 'CN=x' } })).status).toBe(404);
  });
});

describe('api-version', () => {
  it('accepts every version the SDKs send, percent-encoded or not', async () => {
    // From the Python default (7.3) and the oldest it can pin (2016-10-01) to the .NET default (2026-04-01).
    for (const version of SUPPORTED_API_VERSIONS) {
      const encoded = await kv.request('GET', '/certificates/nothing-here/pending', undefined, { query: `api%2Dversion=${version}` });
      expect(encoded.status).toBe(404);
      const plain = await kv.request('GET', '/certificates/nothing-here/pending', undefined, { query: `api-version=${version}` });
      expect(plain.status).toBe(404);
    }
  });

  it('refuses an unknown or missing version with 400 BadParameter', async () => {
    const unknown = await kv.request('GET', '/certificates/c1/pending', undefined, { query: 'api-version=2015-06-01' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      error: { code: 'BadParameter', message: 'The specified version (2015-06-01) is not recognized. Consider using the latest supported version (2026-04-01).' },
    });
    const missing = await kv.request('GET', '/certificates/c1/pending', undefined, { query: 'x=1' });
    expect(missing.status).toBe(400);
    expect((missing.body.error as { code: string }).code).toBe('BadParameter');
  });
});

describe('names and bodies', () => {
  it('refuses an invalid name as Key Vault does', async () => {
    const r = await kv.request('POST', '/certificates/www.domain.tld/create', { policy: { x509_props: { subject: 'CN=x' } } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: 'BadParameter', message: 'The request URI contains an invalid name: www.domain.tld' } });
  });

  it('refuses malformed JSON, wrong types and invalid policies with messages that say what is wrong', async () => {
    const notJson = await kv.request('POST', '/certificates/b1/create', '{"policy":');
    expect(notJson.status).toBe(400);
    expect((notJson.body.error as { message: string }).message).toBe('The request body is not valid JSON.');

    const wrongType = await kv.request('POST', '/certificates/b1/create', { policy: { key_props: { key_size: 'big' } } });
    expect(wrongType.status).toBe(400);
    expect((wrongType.body.error as { message: string }).message).toMatch(/policy\.key_props\.key_size/);

    const badSubject = await kv.request('POST', '/certificates/b1/create', { policy: { x509_props: { subject: 'not a dn' }, issuer: { name: 'Self' } } });
    expect(badSubject.status).toBe(400);
    expect((badSubject.body.error as { message: string }).message).toMatch(/subject/);

    const twoActions = await kv.request('POST', '/certificates/b1/create', {
      policy: {
        x509_props: { subject: 'CN=x' },
        issuer: { name: 'Self' },
        lifetime_actions: [
          { trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } },
          { trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } },
        ],
      },
    });
    expect(twoActions.status).toBe(400);
    expect(twoActions.body).toEqual({ error: { code: 'BadParameter', message: 'At most one action is allowed' } });

    // Nothing was half-written by the refusals.
    expect((await kv.request('GET', '/certificates/b1/pending')).status).toBe(404);
  });

  it('answers 404 CertificateNotFound, CertificateIssuerNotFound, SecretNotFound and KeyNotFound for missing objects', async () => {
    const cert = await kv.request('GET', '/certificates/missing-one/');
    expect(cert.status).toBe(404);
    expect((cert.body.error as { code: string }).code).toBe('CertificateNotFound');
    const issuer = await kv.request('GET', '/certificates/issuers/missing-one');
    expect(issuer.body).toEqual({ error: { code: 'CertificateIssuerNotFound', message: 'Issuer not found' } });
    expect(((await kv.request('GET', '/secrets/missing-one/')).body.error as { code: string }).code).toBe('SecretNotFound');
    const key = await kv.request('GET', '/keys/missing-one/');
    expect(key.status).toBe(404);
    expect(key.body).toEqual({
      error: {
        code: 'KeyNotFound',
        message:
          'A key with (name/id) missing-one was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
      },
    });
    const sign = await kv.request('POST', '/keys/missing-one/0123456789abcdef0123456789abcdef/sign', { alg: 'RS256', value: 'AAAA' });
    expect(sign.status).toBe(404);
    expect((sign.body.error as { code: string }).code).toBe('KeyNotFound');
  });

  it('never echoes an issuer password', async () => {
    const r = await kv.request('PUT', '/certificates/issuers/with-secret', { provider: 'Test', credentials: { account_id: 'acct', pwd: 'hunter2' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: `${service.url}/certificates/issuers/with-secret`, provider: 'Test', credentials: { account_id: 'acct' } });
    expect(JSON.stringify(r.body)).not.toContain('hunter2');
    expect(JSON.stringify((await kv.request('GET', '/certificates/issuers/with-secret')).body)).not.toContain('hunter2');
  });
});

describe('private keys at rest', () => {
  it('stores no private key (nor issuer password) in plain text in any table', async () => {
    // Certificates of every key kind, issued and pending, so the tables hold sealed keys of each.
    const kinds = [{ kty: 'RSA', key_size: 2048 }, { kty: 'EC', crv: 'P-256' }, { kty: 'EC', crv: 'P-256K' }];
    const names: string[] = [];
    for (const [i, key] of kinds.entries()) {
      const name = `rest-${i}-${Date.now().toString(36)}`;
      names.push(name);
      const r = await kv.request('POST', `/certificates/${name}/create`, {
        policy: { key_props: key, x509_props: { subject: 'CN=rest' }, issuer: { name: 'Self' }, secret_props: { contentType: 'application/x-pem-file' } },
      });
      expect(r.status).toBe(202);
    }
    const pendingName = `rest-manual-${Date.now().toString(36)}`;
    expect((await kv.request('POST', `/certificates/${pendingName}/create`, { policy: { x509_props: { subject: 'CN=m' } } })).status).toBe(202);

    const privateKeysBase64: string[] = [];
    for (const name of names) {
      await eventually(`${name} completed`, async () => ((await kv.request('GET', `/certificates/${name}/pending`)).body.status === 'completed' ? true : undefined));
      const pem = (await kv.request('GET', `/secrets/${name}/`)).body.value as string;
      const keyPem = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem)?.[1];
      expect(keyPem).toBeDefined();
      privateKeysBase64.push((keyPem as string).replace(/\s+/g, ''));
    }

    const values: string[] = [];
    for (const table of ALL_TABLES) {
      for await (const entity of service.table(table).listEntities()) {
        for (const value of Object.values(entity)) if (typeof value === 'string') values.push(value);
      }
    }
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) {
      expect(value).not.toMatch(/PRIVATE KEY/);
      expect(value).not.toContain('hunter2');
      for (const key of privateKeysBase64) expect(value).not.toContain(key.slice(40, 120));
      expect(() => createPrivateKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'pkcs8' })).toThrow();
    }
  });
});

describe('the managed key behind kid', () => {
  it('serves the key bundle Key Vault serves, runs the operations its key_ops allow, and refuses the others with 403', async () => {
    const name = `kid-wire-${Date.now().toString(36)}`;
    const created = await kv.request('POST', `/certificates/${name}/create`, {
      policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=kid', key_usage: ['digitalSignature'] }, issuer: { name: 'Self' } },
    });
    expect(created.status).toBe(202);
    const certificate = await eventually(`${name} issued`, async () => {
      const r = await kv.request('GET', `/certificates/${name}/`);
      return r.status === 200 && r.body.kid ? r.body : undefined;
    });
    const kid = certificate.kid as string;
    const path = new URL(kid).pathname;

    const key = await kv.request('GET', `/keys/${name}/`);
    expect(key.status).toBe(200);
    expect(key.body).toEqual({
      key: { kid, kty: 'EC', crv: 'P-256', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), y: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), key_ops: ['sign', 'verify'] },
      attributes: { ...(certificate.attributes as object), exportable: true },
      tags: {},
      managed: true,
    });
    expect((await kv.request('GET', path)).body).toEqual(key.body);

    const digest = Buffer.alloc(32, 7).toString('base64url');
    const signed = await kv.request('POST', `${path}/sign`, { alg: 'ES256', value: digest });
    expect(signed.status).toBe(200);
    expect(signed.body).toEqual({ kid, value: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/) });
    const verified = await kv.request('POST', `${path}/verify`, { alg: 'ES256', digest, value: signed.body.value });
    expect(verified.body).toEqual({ value: true });
    const otherDigest = Buffer.alloc(32, 8).toString('base64url');
    expect((await kv.request('POST', `${path}/verify`, { alg: 'ES256', digest: otherDigest, value: signed.body.value })).body).toEqual({ value: false });

    for (const operation of ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']) {
      const refused = await kv.request('POST', `${path}/${operation}`, { alg: 'RSA-OAEP', value: 'AAAA' });
      expect({ operation, status: refused.status, body: refused.body }).toEqual({
        operation,
        status: 403,
        body: { error: { code: 'Forbidden', message: `Operation ${operation} is not permitted on this key.`, innererror: { code: 'KeyOperationForbidden' } } },
      });
    }

    const notBase64 = await kv.request('POST', `${path}/sign`, { alg: 'ES256', value: 'not base64url!' });
    expect(notBase64.status).toBe(400);
    expect(notBase64.body).toEqual({ error: { code: 'BadParameter', message: 'Property has invalid value: value: value must be base64url' } });
    const wrongAlgorithm = await kv.request('POST', `${path}/sign`, { alg: 'RS256', value: digest });
    expect(wrongAlgorithm.body).toEqual({ error: { code: 'BadParameter', message: 'Algorithm RS256 cannot sign or verify with this EC P-256 key; use ES256.' } });
  });
});
