import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';
import { keyVaultRouteRegistrations } from '../../functions/http/register-route';
import { getRegisteredFunctions } from '../../scripts/local-host/functions-core';
import { invokeFunction } from '../../scripts/local-host/invoke';
import { RouteTable } from '../../functions/http/route-table';
import { triggerOf } from '../../scripts/local-host/trigger-bindings';
import { ANY_AUTHENTICATED_CALLER, KEY_VAULT_PERMISSIONS } from '../../shared/auth/permissions';
import { QUEUES, STORAGE_CONNECTION } from '../../shared/names';

/**
 * What `func start` and the Azure Functions host would register for this app. The real host cannot run
 * here, so this pins the metadata the @azure/functions library hands to it: a change to a route, method,
 * auth level, queue, connection or schedule has to be made on purpose.
 */
const functionsDir = join(__dirname, '..', '..', 'functions');

// Loaded while the file is read, so the per-route cases below can be listed from the registrations.
for (const file of readdirSync(functionsDir).filter((f) => f.endsWith('.ts'))) {
  // Loading a function file registers it, as the Functions host's loader does with `main`.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(functionsDir, file));
}

/** A concrete path for a route template: every parameter filled in, optional ones too, the catch-all with two segments. */
function samplePath(template: string): string {
  return `/${template.replace(/\{\*+\w+\}/g, 'no/such-path').replace(/\{(\w+)\??\}/g, (_all, name: string) => `${name}-1`)}`;
}

/**
 * The one HTTP function that is not a Key Vault route and takes no token: the ACME HTTP-01 answer, which a
 * CA's validator fetches anonymously over plain HTTP (RFC 8555 §8.3) and which holds nothing secret (a
 * token and the ACME account key's thumbprint). It is registered with app.http directly and pinned below.
 */
const ANONYMOUS_BY_DESIGN = 'acmeHttp01Challenge';

/**
 * The operator's dashboard (functions/dashboard.ts): its static files are public, and every API call the page
 * makes carries a token; its local-token route answers only in local auth mode.
 */
const DASHBOARD = ['dashboard', 'dashboardLocalToken'];

/** Every HTTP registration that authenticates, i.e. all but the anonymous ACME answer and the dashboard. */
function httpRegistrations() {
  return allHttpRegistrations().filter((r) => r.name !== ANONYMOUS_BY_DESIGN && !DASHBOARD.includes(r.name));
}

function allHttpRegistrations() {
  return getRegisteredFunctions().flatMap((f) => {
    const t = trigger(f.metadata.name);
    return t?.type === 'httpTrigger'
      ? [{ name: f.metadata.name, trigger: t as { route?: string; methods?: string[]; authLevel?: string } }]
      : [];
  });
}

function trigger(name: string) {
  const registration = getRegisteredFunctions().find((f) => f.metadata.name === name);
  if (!registration) throw new Error(`${name} is not registered`);
  const bindings = Object.values(registration.metadata.bindings);
  return bindings.find((b) => b.direction === 'in' && String(b.type).endsWith('Trigger'));
}

/**
 * Where the registered HTTP functions send a method and path, by the host's route precedence (RouteTable): the
 * function's name and its route parameters, or why nothing matched.
 */
function routeTarget(): (method: string, path: string) => unknown[] {
  const table = new RouteTable(
    getRegisteredFunctions().flatMap((fn) => {
      const t = triggerOf(fn);
      return t.kind === 'http' ? [{ functionName: t.functionName, template: t.route, ...(t.methods ? { methods: t.methods } : {}) }] : [];
    }),
  );
  return (method, path) => {
    const match = table.match(method, path);
    return match.kind === 'matched' ? [match.route.functionName, match.params] : [match.kind];
  };
}

describe('function registrations', () => {
  it('registers exactly these HTTP routes, each with the permission it needs and in-app token checks (anonymous auth level)', () => {
    const http = httpRegistrations()
      .map(({ name, trigger: t }) => {
        const permission = keyVaultRouteRegistrations().find((r) => r.name === name)?.permission;
        return { name, route: t.route, methods: t.methods, authLevel: t.authLevel, permission };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(http).toEqual([
      { name: 'certificateBackup', route: 'certificates/{name}/backup', methods: ['POST'], authLevel: 'anonymous', permission: 'certificates/backup' },
      { name: 'certificateContacts', route: 'certificates/contacts', methods: ['GET', 'PUT', 'DELETE'], authLevel: 'anonymous', permission: 'certificates/managecontacts' },
      { name: 'certificateCreate', route: 'certificates/{name}/create', methods: ['POST'], authLevel: 'anonymous', permission: 'certificates/create' },
      { name: 'certificateDelete', route: 'certificates/{name}', methods: ['DELETE'], authLevel: 'anonymous', permission: 'certificates/delete' },
      { name: 'certificateGet', route: 'certificates/{name}/{version?}', methods: ['GET'], authLevel: 'anonymous', permission: 'certificates/get' },
      { name: 'certificateImport', route: 'certificates/{name}/import', methods: ['POST'], authLevel: 'anonymous', permission: 'certificates/import' },
      { name: 'certificateLifetime', route: 'certificates/{name}/lifetime', methods: ['GET'], authLevel: 'anonymous', permission: 'certificates/get' },
      { name: 'certificateList', route: 'certificates', methods: ['GET'], authLevel: 'anonymous', permission: 'certificates/list' },
      { name: 'certificatePolicyGet', route: 'certificates/{name}/policy', methods: ['GET'], authLevel: 'anonymous', permission: 'certificates/get' },
      { name: 'certificatePolicyUpdate', route: 'certificates/{name}/policy', methods: ['PATCH'], authLevel: 'anonymous', permission: 'certificates/update' },
      { name: 'certificateRestore', route: 'certificates/restore', methods: ['POST'], authLevel: 'anonymous', permission: 'certificates/restore' },
      { name: 'certificateUpdate', route: 'certificates/{name}/{version?}', methods: ['PATCH'], authLevel: 'anonymous', permission: 'certificates/update' },
      { name: 'certificateVersions', route: 'certificates/{name}/versions', methods: ['GET'], authLevel: 'anonymous', permission: 'certificates/list' },
      { name: 'deletedCertificateGet', route: 'deletedcertificates/{name}', methods: ['GET'], authLevel: 'anonymous', permission: 'certificates/get' },
      { name: 'deletedCertificateList', route: 'deletedcertificates', methods: ['GET'], authLevel: 'anonymous', permission: 'certificates/list' },
      { name: 'deletedCertificatePurge', route: 'deletedcertificates/{name}', methods: ['DELETE'], authLevel: 'anonymous', permission: 'certificates/purge' },
      { name: 'deletedCertificateRecover', route: 'deletedcertificates/{name}/recover', methods: ['POST'], authLevel: 'anonymous', permission: 'certificates/recover' },
      { name: 'issuerDelete', route: 'certificates/issuers/{issuer}', methods: ['DELETE'], authLevel: 'anonymous', permission: 'certificates/deleteissuers' },
      { name: 'issuerGet', route: 'certificates/issuers/{issuer}', methods: ['GET'], authLevel: 'anonymous', permission: 'certificates/getissuers' },
      { name: 'issuerList', route: 'certificates/issuers', methods: ['GET'], authLevel: 'anonymous', permission: 'certificates/listissuers' },
      { name: 'issuerSet', route: 'certificates/issuers/{issuer}', methods: ['PUT'], authLevel: 'anonymous', permission: 'certificates/setissuers' },
      { name: 'issuerUpdate', route: 'certificates/issuers/{issuer}', methods: ['PATCH'], authLevel: 'anonymous', permission: 'certificates/setissuers' },
      { name: 'keyDecrypt', route: 'keys/{name}/{version}/decrypt', methods: ['POST'], authLevel: 'anonymous', permission: 'keys/decrypt' },
      { name: 'keyEncrypt', route: 'keys/{name}/{version}/encrypt', methods: ['POST'], authLevel: 'anonymous', permission: 'keys/encrypt' },
      { name: 'keyGet', route: 'keys/{name}/{version?}', methods: ['GET'], authLevel: 'anonymous', permission: 'keys/get' },
      { name: 'keySign', route: 'keys/{name}/{version}/sign', methods: ['POST'], authLevel: 'anonymous', permission: 'keys/sign' },
      { name: 'keyUnwrap', route: 'keys/{name}/{version}/unwrapKey', methods: ['POST'], authLevel: 'anonymous', permission: 'keys/unwrapKey' },
      { name: 'keyVerify', route: 'keys/{name}/{version}/verify', methods: ['POST'], authLevel: 'anonymous', permission: 'keys/verify' },
      { name: 'keyWrap', route: 'keys/{name}/{version}/wrapKey', methods: ['POST'], authLevel: 'anonymous', permission: 'keys/wrapKey' },
      { name: 'pendingCancel', route: 'certificates/{name}/pending', methods: ['PATCH'], authLevel: 'anonymous', permission: 'certificates/update' },
      { name: 'pendingDelete', route: 'certificates/{name}/pending', methods: ['DELETE'], authLevel: 'anonymous', permission: 'certificates/delete' },
      { name: 'pendingGet', route: 'certificates/{name}/pending', methods: ['GET'], authLevel: 'anonymous', permission: 'certificates/get' },
      { name: 'pendingMerge', route: 'certificates/{name}/pending/merge', methods: ['POST'], authLevel: 'anonymous', permission: 'certificates/create' },
      { name: 'secretGet', route: 'secrets/{name}/{version?}', methods: ['GET'], authLevel: 'anonymous', permission: 'secrets/get' },
      {
        name: 'unmatchedRoute',
        route: '{*path}',
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        authLevel: 'anonymous',
        permission: ANY_AUTHENTICATED_CALLER,
      },
    ]);
  });

  it('registers only the ACME HTTP-01 answer and the dashboard outside registerKeyVaultRoute: GET only, but the local token', () => {
    const anonymous = allHttpRegistrations().filter((r) => !keyVaultRouteRegistrations().some((k) => k.name === r.name));
    expect(anonymous.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: ANONYMOUS_BY_DESIGN, trigger: expect.objectContaining({ route: '.well-known/acme-challenge/{token}', methods: ['GET'], authLevel: 'anonymous' }) },
      { name: 'dashboard', trigger: expect.objectContaining({ route: 'dashboard/{*path}', methods: ['GET'], authLevel: 'anonymous' }) },
      { name: 'dashboardLocalToken', trigger: expect.objectContaining({ route: 'dashboard/local-token', methods: ['POST'], authLevel: 'anonymous' }) },
    ]);
  });

  it('routes the dashboard paths to the dashboard, its local token to its own function, and the API around them as before', () => {
    const target = routeTarget();
    // /dashboard and /dashboard/ reach the same function (ASP.NET routing ignores one trailing slash); it redirects the first.
    expect(target('GET', '/dashboard')).toEqual(['dashboard', {}]);
    expect(target('GET', '/dashboard/')).toEqual(['dashboard', {}]);
    expect(target('GET', '/dashboard/app.js')).toEqual(['dashboard', { path: 'app.js' }]);
    expect(target('GET', '/dashboard/config.json')).toEqual(['dashboard', { path: 'config.json' }]);
    // The router decodes segments: an encoded dot-dot reaches the function as "..", which refuses it (static-files.test.ts).
    expect(target('GET', '/dashboard/%2e%2e/package.json')).toEqual(['dashboard', { path: '../package.json' }]);
    expect(target('POST', '/dashboard/local-token')).toEqual(['dashboardLocalToken', {}]);
    // Any other method is the API's catch-all, which authenticates first.
    expect(target('POST', '/dashboard/app.js')).toEqual(['unmatchedRoute', { path: 'dashboard/app.js' }]);
    expect(target('DELETE', '/dashboard')).toEqual(['unmatchedRoute', { path: 'dashboard' }]);
    expect(target('GET', '/certificates')).toEqual(['certificateList', {}]);
  });

  it('routes GET /.well-known/acme-challenge/{token} to the answer and every other method to the catch-all', () => {
    const table = new RouteTable(
      getRegisteredFunctions().flatMap((fn) => {
        const t = triggerOf(fn);
        return t.kind === 'http' ? [{ functionName: t.functionName, template: t.route, ...(t.methods ? { methods: t.methods } : {}) }] : [];
      }),
    );
    const match = table.match('GET', '/.well-known/acme-challenge/abc_DEF-123');
    expect(match.kind === 'matched' ? [match.route.functionName, match.params] : match.kind).toEqual([ANONYMOUS_BY_DESIGN, { token: 'abc_DEF-123' }]);
    // Any other method, or a deeper path, is not this route (and falls to the authenticated catch-all).
    const post = table.match('POST', '/.well-known/acme-challenge/abc');
    expect(post.kind === 'matched' ? post.route.functionName : post.kind).toBe('unmatchedRoute');
  });

  it('registers every HTTP function but the ACME answer through registerKeyVaultRoute, so none can skip authentication', () => {
    // A function file that calls app.http itself is registered with the host but not with the helper.
    const viaHelper = new Map(keyVaultRouteRegistrations().map((r) => [r.name, r]));
    const registered = httpRegistrations();
    expect(registered.length).toBeGreaterThan(0);
    for (const { name, trigger: t } of registered) {
      expect({ name, helper: viaHelper.has(name) }).toEqual({ name, helper: true });
      expect({ name, route: viaHelper.get(name)?.route, methods: viaHelper.get(name)?.methods }).toEqual({ name, route: t.route, methods: t.methods });
      expect([...KEY_VAULT_PERMISSIONS, ANY_AUTHENTICATED_CALLER]).toContain(viaHelper.get(name)?.permission);
    }
    expect(viaHelper.size).toBe(registered.length);
  });

  describe('without a token, every method of every HTTP registration answers the bearer challenge', () => {
    // Derived from the registrations: a new route is covered the moment it is registered.
    const cases = httpRegistrations().flatMap(({ name, trigger: t }) =>
      (t.methods ?? []).map((method) => [name, method, samplePath(t.route ?? '')] as const),
    );
    const saved = { ...process.env };

    beforeAll(() => {
      // Enough configuration for the gate (a local token verifier); storage is never reached before the 401.
      process.env[STORAGE_CONNECTION] = 'UseDevelopmentStorage=true';
      process.env.KEY_ENCRYPTION_KEY = Buffer.alloc(32, 1).toString('base64');
      process.env.AUTH_MODE = 'local';
      process.env.AUTH_LOCAL_KEY_FILE = join(__dirname, 'no-such-key.json');
    });

    afterAll(() => {
      process.env = saved;
    });

    it('lists every registration', () => {
      expect(new Set(cases.map(([name]) => name)).size).toBe(httpRegistrations().length);
    });

    it.each(cases)('%s: %s %s', async (name, method, path) => {
      const fn = getRegisteredFunctions().find((f) => f.metadata.name === name);
      if (!fn) throw new Error(`${name} is not registered`);
      const request = new HttpRequest({ method, url: `https://vault.local${path}?api-version=7.5`, headers: {} });
      const { result } = await invokeFunction({ fn, input: request, log: () => undefined, reason: 'test' });
      const response = new HttpResponse(result as HttpResponseInit);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer authorization="/);
      expect(await response.json()).toEqual({ error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } });
    });
  });

  it('routes the paths the SDKs send, with and without trailing slash, to the function a user means', () => {
    // The host's route precedence (a literal segment before a parameter) decides which template takes a path;
    // RouteTable implements it, so this is what Azure's host does with these registrations.
    const target = routeTarget();
    // Latest version: JS and Python send the trailing slash, .NET does not.
    expect(target('GET', '/certificates/c1/')).toEqual(['certificateGet', { name: 'c1' }]);
    expect(target('GET', '/certificates/c1')).toEqual(['certificateGet', { name: 'c1' }]);
    expect(target('GET', '/certificates/c1/abc')).toEqual(['certificateGet', { name: 'c1', version: 'abc' }]);
    // The vault's collections are never a certificate named "issuers" or "contacts".
    for (const path of ['/certificates/issuers', '/certificates/issuers/']) expect(target('GET', path)).toEqual(['issuerList', {}]);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      expect(target(method, '/certificates/contacts')).toEqual(['certificateContacts', {}]);
      expect(target(method, '/certificates/contacts/')).toEqual(['certificateContacts', {}]);
    }
    expect(target('GET', '/certificates/issuers/i1')).toEqual(['issuerGet', { issuer: 'i1' }]);
    expect(target('PATCH', '/certificates/issuers/i1')).toEqual(['issuerUpdate', { issuer: 'i1' }]);
    expect(target('DELETE', '/certificates/issuers/i1')).toEqual(['issuerDelete', { issuer: 'i1' }]);
    expect(target('GET', '/secrets/c1')).toEqual(['secretGet', { name: 'c1' }]);
    // The key behind kid: latest with or without the slash; an operation is never version "sign" of a key.
    expect(target('GET', '/keys/c1/')).toEqual(['keyGet', { name: 'c1' }]);
    expect(target('GET', '/keys/c1/v1')).toEqual(['keyGet', { name: 'c1', version: 'v1' }]);
    expect(target('POST', '/keys/c1/v1/sign')).toEqual(['keySign', { name: 'c1', version: 'v1' }]);
    expect(target('POST', '/keys/c1/v1/unwrapkey')).toEqual(['keyUnwrap', { name: 'c1', version: 'v1' }]);
    // The policy is never version "policy" of a certificate.
    expect(target('GET', '/certificates/c1/policy')).toEqual(['certificatePolicyGet', { name: 'c1' }]);
    expect(target('PATCH', '/certificates/c1/policy')).toEqual(['certificatePolicyUpdate', { name: 'c1' }]);
    // Nor is the lifetime state (ours) version "lifetime".
    expect(target('GET', '/certificates/c1/lifetime')).toEqual(['certificateLifetime', { name: 'c1' }]);
    // The version list is never version "versions" of a certificate (any casing: literals match case-insensitively).
    expect(target('GET', '/certificates/c1/versions')).toEqual(['certificateVersions', { name: 'c1' }]);
    expect(target('GET', '/certificates/c1/Versions/')).toEqual(['certificateVersions', { name: 'c1' }]);
    // Restore is a collection operation, backup one of a certificate.
    expect(target('POST', '/certificates/restore')).toEqual(['certificateRestore', {}]);
    expect(target('POST', '/certificates/c1/backup')).toEqual(['certificateBackup', { name: 'c1' }]);
    // The certificate lists, with or without the slash; a certificate is never named by the empty segment.
    expect(target('GET', '/certificates')).toEqual(['certificateList', {}]);
    expect(target('GET', '/certificates/')).toEqual(['certificateList', {}]);
    expect(target('GET', '/deletedcertificates')).toEqual(['deletedCertificateList', {}]);
    // Soft delete: DELETE without the slash is the certificate, with it never a version; the pending request keeps its own route.
    expect(target('DELETE', '/certificates/c1')).toEqual(['certificateDelete', { name: 'c1' }]);
    expect(target('DELETE', '/certificates/c1/pending')).toEqual(['pendingDelete', { name: 'c1' }]);
    expect(target('GET', '/deletedcertificates/c1')).toEqual(['deletedCertificateGet', { name: 'c1' }]);
    expect(target('POST', '/deletedcertificates/c1/recover')).toEqual(['deletedCertificateRecover', { name: 'c1' }]);
    expect(target('DELETE', '/deletedcertificates/c1')).toEqual(['deletedCertificatePurge', { name: 'c1' }]);
  });

  it('sends every path and method no operation takes to the catch-all, which the host tries last', () => {
    const table = new RouteTable(
      getRegisteredFunctions().flatMap((fn) => {
        const t = triggerOf(fn);
        return t.kind === 'http' ? [{ functionName: t.functionName, template: t.route, ...(t.methods ? { methods: t.methods } : {}) }] : [];
      }),
    );
    expect(table.routes.at(-1)?.functionName).toBe('unmatchedRoute');
    const target = (method: string, path: string) => {
      const match = table.match(method, path);
      return match.kind === 'matched' ? match.route.functionName : match.kind;
    };
    // Unknown paths, the root included.
    expect(target('GET', '/keys')).toBe('unmatchedRoute');
    expect(target('POST', '/keys/k1/v1/sign/extra')).toBe('unmatchedRoute');
    expect(target('GET', '/keys/k1/v1/sign')).toBe('unmatchedRoute');
    expect(target('GET', '/')).toBe('unmatchedRoute');
    expect(target('GET', '/certificates/c1/v1/extra')).toBe('unmatchedRoute');
    // Known paths under a method they do not take fail that route's method constraint and fall through, as in ASP.NET routing.
    expect(target('PUT', '/certificates/c1')).toBe('unmatchedRoute');
    expect(target('PUT', '/certificates/c1/pending')).toBe('unmatchedRoute');
    expect(target('POST', '/certificates//create')).toBe('unmatchedRoute');
  });

  it('registers the issuer job and its poison consumer on the app storage connection', () => {
    expect(trigger('issuerJob')).toMatchObject({ type: 'queueTrigger', queueName: QUEUES.issuerJobs, connection: STORAGE_CONNECTION });
    expect(trigger('issuerJobPoison')).toMatchObject({ type: 'queueTrigger', queueName: QUEUES.issuerJobsPoison, connection: STORAGE_CONNECTION });
    expect(QUEUES.issuerJobsPoison).toBe(`${QUEUES.issuerJobs}-poison`);
  });

  it('registers the event fan-out on the outbox and the delivery on its queue, and nothing on the queue users read', () => {
    expect(trigger('certificateEventFanout')).toMatchObject({ type: 'queueTrigger', queueName: QUEUES.certificateEventsOutbox, connection: STORAGE_CONNECTION });
    expect(trigger('certificateEventDelivery')).toMatchObject({ type: 'queueTrigger', queueName: QUEUES.certificateEventDeliveries, connection: STORAGE_CONNECTION });
    // A trigger of ours on certificate-events would take the messages from the users' own functions.
    const queuesRead = getRegisteredFunctions().map((f) => Object.values(f.metadata.bindings).find((b) => b.type === 'queueTrigger')?.queueName);
    expect(queuesRead).not.toContain(QUEUES.certificateEvents);
  });

  it('schedules the status sweep from an app setting', () => {
    expect(trigger('statusSweep')).toMatchObject({ type: 'timerTrigger', schedule: '%STATUS_SWEEP_SCHEDULE%' });
  });

  it('schedules the purge timer from an app setting', () => {
    expect(trigger('purgeDeleted')).toMatchObject({ type: 'timerTrigger', schedule: '%PURGE_SCHEDULE%' });
  });

  it('schedules the lifetime sweep from an app setting', () => {
    expect(trigger('lifetimeSweep')).toMatchObject({ type: 'timerTrigger', schedule: '%LIFETIME_SCHEDULE%' });
  });

  it('registers nothing else, and every name once', () => {
    const names = getRegisteredFunctions().map((f) => f.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(45);
  });
});
