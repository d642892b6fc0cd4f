import { type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * The error catalogue of the wire contract (Key Vault's refusals: status, `error.code`, `error.message`),
 * one case per entry, each on every route of this service where the situation can arise, compared exactly.
 *
 * Entries already asserted exactly elsewhere are not repeated here:
 * - 401 Unauthorized, "AKV10000: Request is missing a Bearer or PoP token." with the challenge, on every
 *   registered route and the catch-all: wire-rules.test.ts "authentication comes first".
 * - 405 MethodNotAllowed "HTTP POST not allowed" for an empty name, and the catch-all's 404/405:
 *   wire-rules.test.ts "paths and methods no operation takes".
 * - 400 BadParameter for an unknown api-version (its exact message): wire-rules.test.ts "api-version".
 * - 400 BadParameter "At most one action is allowed", and an invalid name on create: wire-rules.test.ts.
 * - 404 CertificateIssuerNotFound "Issuer not found" on issuer GET (wire-rules.test.ts), PATCH and DELETE
 *   (issuers.raw.test.ts).
 * - 404 ContactsNotFound "Contacts not found" on GET and DELETE: contacts.test.ts.
 * - 403 Forbidden "Merge is forbidden on pending object created with issuer : … while it is in progess.":
 *   seed-scenarios.raw.test.ts S7.
 * - 409 Forbidden "A new key vault certificate can not be created … status is inProgress.":
 *   seed-scenarios.raw.test.ts S6.
 * - 403 Forbidden (KeyOperationForbidden) for a key operation the key's key_ops exclude: wire-rules.test.ts.
 */
let service: ServiceUnderTest;
let kv: RawClient;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
});
afterAll(() => service?.stop());

const VERSION = '0123456789abcdef0123456789abcdef';
const manualPolicy = { x509_props: { subject: 'CN=catalogue.example' } };

let counter = 0;
/** A name no other case of this file uses. */
function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now().toString(36)}`;
}

/** Key Vault's "not found" wording for certificates, secrets and keys (the object named by name or name/version). */
function notFoundMessage(kind: 'certificate' | 'secret' | 'key', nameOrId: string): string {
  return `A ${kind} with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this ${kind} you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`;
}

/** Status and body of a request, labelled by method and path so a failing case says which one it was. */
async function answer(method: string, path: string, body?: unknown, query?: string) {
  const r = await kv.request(method, path, body, query === undefined ? {} : { query });
  return { request: `${method} ${path}`, status: r.status, body: r.body };
}

describe('404 CertificateNotFound: certificate missing', () => {
  it('answers a name with no certificate, latest with and without the trailing slash, and a version of it', async () => {
    const name = uniqueName('missing');
    for (const path of [`/certificates/${name}/`, `/certificates/${name}`]) {
      expect(await answer('GET', path)).toEqual({
        request: `GET ${path}`,
        status: 404,
        body: { error: { code: 'CertificateNotFound', message: notFoundMessage('certificate', name) } },
      });
    }
    const path = `/certificates/${name}/${VERSION}`;
    expect(await answer('GET', path)).toEqual({
      request: `GET ${path}`,
      status: 404,
      body: { error: { code: 'CertificateNotFound', message: notFoundMessage('certificate', `${name}/${VERSION}`) } },
    });
  });

  it('answers a version the certificate does not have, naming name/version', async () => {
    const name = uniqueName('versioned');
    expect((await kv.request('POST', `/certificates/${name}/create`, { policy: manualPolicy })).status).toBe(202);
    expect((await kv.request('GET', `/certificates/${name}/`)).status).toBe(200);
    for (const version of [VERSION, 'not-a-version']) {
      const path = `/certificates/${name}/${version}`;
      expect(await answer('GET', path)).toEqual({
        request: `GET ${path}`,
        status: 404,
        body: { error: { code: 'CertificateNotFound', message: notFoundMessage('certificate', `${name}/${version}`) } },
      });
    }
  });

  it("answers the certificate's secret and key, missing until issuance, with SecretNotFound and KeyNotFound in the same words", async () => {
    // A manual (Unknown) request: the version exists, disabled and pending, but has no secret and no key yet.
    const name = uniqueName('unissued');
    expect((await kv.request('POST', `/certificates/${name}/create`, { policy: manualPolicy })).status).toBe(202);
    expect(await answer('GET', `/secrets/${name}/`)).toEqual({
      request: `GET /secrets/${name}/`,
      status: 404,
      body: { error: { code: 'SecretNotFound', message: notFoundMessage('secret', name) } },
    });
    expect(await answer('GET', `/secrets/${name}/${VERSION}`)).toEqual({
      request: `GET /secrets/${name}/${VERSION}`,
      status: 404,
      body: { error: { code: 'SecretNotFound', message: notFoundMessage('secret', `${name}/${VERSION}`) } },
    });
    expect(await answer('GET', `/keys/${name}/${VERSION}`)).toEqual({
      request: `GET /keys/${name}/${VERSION}`,
      status: 404,
      body: { error: { code: 'KeyNotFound', message: notFoundMessage('key', `${name}/${VERSION}`) } },
    });
    for (const operation of ['sign', 'verify', 'encrypt', 'decrypt', 'wrapKey', 'unwrapKey']) {
      const path = `/keys/${name}/${VERSION}/${operation}`;
      expect(await answer('POST', path, { alg: 'RS256', value: 'AAAA', digest: 'AAAA' })).toEqual({
        request: `POST ${path}`,
        status: 404,
        body: { error: { code: 'KeyNotFound', message: notFoundMessage('key', `${name}/${VERSION}`) } },
      });
    }
  });
});

describe('404 PendingCertificateNotFound: no pending operation', () => {
  it('answers every operation on the pending object of a name that never had one', async () => {
    const name = uniqueName('no-pending');
    const notFound = { error: { code: 'PendingCertificateNotFound', message: `Pending certificate not found: ${name}` } };
    for (const [method, path, body] of [
      ['GET', `/certificates/${name}/pending`, undefined],
      ['PATCH', `/certificates/${name}/pending`, { cancellation_requested: true }],
      ['DELETE', `/certificates/${name}/pending`, undefined],
      ['POST', `/certificates/${name}/pending/merge`, { x5c: ['AAAA'] }],
    ] as const) {
      expect(await answer(method, path, body)).toEqual({ request: `${method} ${path}`, status: 404, body: notFound });
    }
  });
});

describe('400 BadParameter: "The request URI contains an invalid name: X"', () => {
  const bad = 'bad_name';
  const tooLong = 'a'.repeat(128);
  const cases: [string, string, unknown][] = [
    ['GET', `/certificates/${bad}/`, undefined],
    ['GET', `/certificates/${bad}/${VERSION}`, undefined],
    ['GET', `/certificates/${bad}/pending`, undefined],
    ['PATCH', `/certificates/${bad}/pending`, { cancellation_requested: true }],
    ['DELETE', `/certificates/${bad}/pending`, undefined],
    ['POST', `/certificates/${bad}/pending/merge`, { x5c: ['AAAA'] }],
    ['GET', `/secrets/${bad}/`, undefined],
    ['GET', `/keys/${bad}/`, undefined],
    ['POST', `/keys/${bad}/${VERSION}/sign`, { alg: 'RS256', value: 'AAAA' }],
    ['GET', `/certificates/issuers/${bad}`, undefined],
    ['PATCH', `/certificates/issuers/${bad}`, { provider: 'Test' }],
    ['DELETE', `/certificates/issuers/${bad}`, undefined],
  ];

  it.each(cases)('%s %s', async (method, path, body) => {
    expect(await answer(method, path, body)).toEqual({
      request: `${method} ${path}`,
      status: 400,
      body: { error: { code: 'BadParameter', message: `The request URI contains an invalid name: ${bad}` } },
    });
  });

  it('refuses a name longer than 127 characters the same way', async () => {
    for (const [method, path, body] of [
      ['POST', `/certificates/${tooLong}/create`, { policy: manualPolicy }],
      ['GET', `/certificates/${tooLong}/pending`, undefined],
      ['PUT', `/certificates/issuers/${tooLong}`, { provider: 'Test' }],
    ] as const) {
      expect(await answer(method, path, body)).toEqual({
        request: `${method} ${path}`,
        status: 400,
        body: { error: { code: 'BadParameter', message: `The request URI contains an invalid name: ${tooLong}` } },
      });
    }
    // A name of exactly 127 characters is a valid name: the refusal is about length, not a blanket rule.
    expect((await kv.request('GET', `/certificates/${'a'.repeat(127)}/pending`)).status).toBe(404);
  });
});

describe('400 BadParameter: api-version', () => {
  it('refuses an unknown version on a write before reading its body, and a missing version, with 400 BadParameter', async () => {
    const name = uniqueName('api-version');
    // The body is not even JSON: the version is what the service judges first.
    const unknown = await answer('POST', `/certificates/${name}/create`, '{"policy":', 'api-version=2015-06-01');
    expect(unknown).toEqual({
      request: `POST /certificates/${name}/create`,
      status: 400,
      body: {
        error: { code: 'BadParameter', message: 'The specified version (2015-06-01) is not recognized. Consider using the latest supported version (2026-04-01).' },
      },
    });
    const missing = await answer('GET', `/certificates/${name}/pending`, undefined, 'x=1');
    expect(missing).toEqual({
      request: `GET /certificates/${name}/pending`,
      status: 400,
      body: { error: { code: 'BadParameter', message: 'The api-version query parameter is required.' } },
    });
  });
});

describe('400: cancel when not inProgress', () => {
  it('refuses a second cancellation of a cancelled operation with BadParameter naming its status', async () => {
    // A manual (Unknown) request is cancelled at once, so the second request meets a cancelled operation.
    const name = uniqueName('cancelled');
    expect((await kv.request('POST', `/certificates/${name}/create`, { policy: manualPolicy })).status).toBe(202);
    const first = await kv.request('PATCH', `/certificates/${name}/pending`, { cancellation_requested: true });
    expect([first.status, first.body.status]).toEqual([200, 'cancelled']);
    expect(await answer('PATCH', `/certificates/${name}/pending`, { cancellation_requested: true })).toEqual({
      request: `PATCH /certificates/${name}/pending`,
      status: 400,
      body: {
        error: {
          code: 'BadParameter',
          message: "Cancellation can only be requested while the pending certificate's status is inProgress; it is cancelled.",
        },
      },
    });
  });
});

describe('400 BadParameter: bad input in the body', () => {
  it('refuses an empty body on each route that takes one, saying a JSON object is required', async () => {
    const name = uniqueName('empty-body');
    for (const [method, path] of [
      ['POST', `/certificates/${name}/create`],
      ['PATCH', `/certificates/${name}/pending`],
      ['POST', `/certificates/${name}/pending/merge`],
      ['PUT', `/certificates/issuers/${name}`],
      ['PATCH', `/certificates/issuers/${name}`],
      ['PUT', '/certificates/contacts'],
      ['POST', `/keys/${name}/${VERSION}/sign`],
    ] as const) {
      expect(await answer(method, path, '')).toEqual({
        request: `${method} ${path}`,
        status: 400,
        body: { error: { code: 'BadParameter', message: 'The request body is empty; a JSON object is required.' } },
      });
    }
  });

  it('refuses a policy naming an issuer that is not in the vault, and a policy that renews an Unknown certificate', async () => {
    const name = uniqueName('policy');
    expect(await answer('POST', `/certificates/${name}/create`, { policy: { ...manualPolicy, issuer: { name: 'no-such-issuer' } } })).toEqual({
      request: `POST /certificates/${name}/create`,
      status: 400,
      body: { error: { code: 'BadParameter', message: "The issuer 'no-such-issuer' named by the policy does not exist in this vault." } },
    });
    const autoRenewUnknown = {
      ...manualPolicy,
      issuer: { name: 'Unknown' },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
    };
    expect(await answer('POST', `/certificates/${name}/create`, { policy: autoRenewUnknown })).toEqual({
      request: `POST /certificates/${name}/create`,
      status: 400,
      body: {
        error: {
          code: 'BadParameter',
          message: 'Property lifetime_actions has invalid value: AutoRenew needs an issuer; a certificate with issuer Unknown can only use EmailContacts',
        },
      },
    });
    expect((await kv.request('GET', `/certificates/${name}/pending`)).status).toBe(404);
  });

  it('refuses a cancellation body other than {"cancellation_requested": true}, naming the property', async () => {
    const name = uniqueName('cancel-body');
    expect((await kv.request('POST', `/certificates/${name}/create`, { policy: manualPolicy })).status).toBe(202);
    const r = await answer('PATCH', `/certificates/${name}/pending`, { cancellation_requested: false });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: 'BadParameter', message: expect.stringMatching(/^Property has invalid value: cancellation_requested: /) } });
    expect((await kv.request('GET', `/certificates/${name}/pending`)).body.status).toBe('inProgress');
  });
});
