import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { createAzureDnsChallenge, parseDnsZoneResourceId, relativeRecordName } from '../../../../shared/issuers/acme/azure-dns-challenge';
import { dnsChallengeName } from '../../../../shared/issuers/acme/dns-challenge';

/**
 * The Azure DNS adapter through the official SDK's real pipeline (serialization, api-version, bearer token),
 * with only the HTTP client replaced by a small in-memory Azure DNS: what is checked is what would go on the
 * wire to management.azure.com, and that TXT values set and removed through it end as a user expects. No Azure
 * here, so what the real service does beyond this documented contract (propagation to the name servers, its
 * own throttling, role assignment delays) is not tested.
 */

const ZONE_ID = '/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/dns-rg/providers/Microsoft.Network/dnszones/example.com';
const RECORD_PATH = '/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/dns-rg/providers/Microsoft.Network/dnsZones/example.com/TXT/';

interface SeenRequest {
  method: string;
  path: string;
  apiVersion: string | null;
  authorization: string | undefined;
  ifMatch: string | undefined;
  ifNoneMatch: string | undefined;
  body: unknown;
}

interface StoredSet {
  etag: string;
  properties: { TTL: number; TXTRecords: { value: string[] }[] };
}

/** Azure DNS's record-set resource as its REST reference documents it, for TXT sets only. */
class FakeAzureDns implements HttpClient {
  readonly requests: SeenRequest[] = [];
  readonly sets = new Map<string, StoredSet>();
  private etags = 0;
  /** Runs once, between the next GET and the write that follows it: someone else changing the set. */
  interleave: (() => void) | undefined;
  /** Answers every request with this status instead (a missing role, throttling, …). */
  failWith: number | undefined;

  values(name: string): string[] | undefined {
    return this.sets.get(name)?.properties.TXTRecords.map((record) => record.value.join(''));
  }

  put(name: string, values: string[]): void {
    this.sets.set(name, { etag: this.nextEtag(), properties: { TTL: 3600, TXTRecords: values.map((value) => ({ value: [value] })) } });
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const url = new URL(request.url);
    const seen: SeenRequest = {
      method: request.method,
      path: decodeURIComponent(url.pathname),
      apiVersion: url.searchParams.get('api-version'),
      authorization: request.headers.get('authorization'),
      ifMatch: request.headers.get('if-match'),
      ifNoneMatch: request.headers.get('if-none-match'),
      body: typeof request.body === 'string' ? JSON.parse(request.body) : undefined,
    };
    this.requests.push(seen);
    if (this.failWith) return respond(request, this.failWith, { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization.' } });
    if (!seen.path.startsWith(RECORD_PATH)) return respond(request, 404, { error: { code: 'ResourceNotFound', message: seen.path } });
    const name = seen.path.slice(RECORD_PATH.length);
    const current = this.sets.get(name);

    if (request.method === 'GET') {
      const response = current ? respond(request, 200, this.resource(name, current)) : respond(request, 404, notFound(name));
      const interleave = this.interleave;
      this.interleave = undefined;
      interleave?.();
      return response;
    }
    if (seen.ifMatch !== undefined && seen.ifMatch !== current?.etag) return respond(request, 412, preconditionFailed());
    if (seen.ifNoneMatch === '*' && current) return respond(request, 412, preconditionFailed());
    if (request.method === 'PUT') {
      const body = seen.body as { properties: StoredSet['properties'] };
      const stored = { etag: this.nextEtag(), properties: body.properties };
      this.sets.set(name, stored);
      return respond(request, current ? 200 : 201, this.resource(name, stored));
    }
    if (request.method === 'DELETE') {
      this.sets.delete(name);
      return respond(request, current ? 200 : 204, undefined);
    }
    return respond(request, 405, { error: { code: 'MethodNotAllowed', message: request.method } });
  }

  private resource(name: string, set: StoredSet) {
    return { id: `${RECORD_PATH}${name}`, name, type: 'Microsoft.Network/dnszones/TXT', etag: set.etag, properties: { ...set.properties, fqdn: `${name}.example.com.` } };
  }

  private nextEtag(): string {
    this.etags += 1;
    return `etag-${this.etags}`;
  }
}

function respond(request: PipelineRequest, status: number, body: unknown): PipelineResponse {
  return {
    request,
    status,
    headers: createHttpHeaders(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    bodyAsText: body === undefined ? '' : JSON.stringify(body),
  };
}

const notFound = (name: string) => ({ error: { code: 'NotFound', message: `The resource record '${name}' does not exist in resource group 'dns-rg' of subscription '…'.` } });
const preconditionFailed = () => ({ error: { code: 'PreconditionFailed', message: 'The condition specified using HTTP conditional header(s) is not met.' } });

class FakeManagedIdentity implements TokenCredential {
  readonly scopes: string[] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(...[scopes].flat());
    return { token: 'managed-identity-token', expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

function setup() {
  const dns = new FakeAzureDns();
  const credential = new FakeManagedIdentity();
  // No retries: a test that expects one request must see exactly one.
  const responder = createAzureDnsChallenge({ zoneResourceId: ZONE_ID, credential, clientOptions: { httpClient: dns, retryOptions: { maxRetries: 0 } } });
  return { dns, credential, responder };
}

const writes = (dns: FakeAzureDns) => dns.requests.filter((r) => r.method !== 'GET');

describe('Azure DNS responder for DNS-01', () => {
  test('the first value creates the TXT set with the managed identity, TTL 60 and If-None-Match: *', async () => {
    const { dns, credential, responder } = setup();
    await responder.setTxt(dnsChallengeName('www.example.com'), 'token-digest-1');

    expect(dns.values('_acme-challenge.www')).toEqual(['token-digest-1']);
    expect(dns.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${RECORD_PATH}_acme-challenge.www`, `PUT ${RECORD_PATH}_acme-challenge.www`]);
    expect(dns.requests.every((r) => r.apiVersion === '2018-05-01' && r.authorization === 'Bearer managed-identity-token')).toBe(true);
    expect(credential.scopes).toContain('https://management.azure.com/.default');
    expect(writes(dns)[0]).toMatchObject({ ifNoneMatch: '*', ifMatch: undefined, body: { properties: { TTL: 60, TXTRecords: [{ value: ['token-digest-1'] }] } } });
  });

  test('setting a value already there writes nothing (a step run twice)', async () => {
    const { dns, responder } = setup();
    await responder.setTxt('_acme-challenge.www.example.com', 'v1');
    await responder.setTxt('_acme-challenge.www.example.com.', 'v1');
    expect(writes(dns)).toHaveLength(1);
    expect(dns.values('_acme-challenge.www')).toEqual(['v1']);
  });

  test('a second value joins the first (wildcard and apex share a name), written under the etag read', async () => {
    const { dns, responder } = setup();
    dns.put('_acme-challenge', ['apex-value']);
    await responder.setTxt('_acme-challenge.example.com', 'wildcard-value');
    expect(dns.values('_acme-challenge')).toEqual(['apex-value', 'wildcard-value']);
    // The set's own TTL is kept; the write is conditional on the set not having changed since it was read.
    expect(writes(dns)[0]).toMatchObject({ ifMatch: 'etag-1', body: { properties: { TTL: 3600 } } });
  });

  test('removing one value keeps the others; removing the last deletes the set; removing again is a no-op', async () => {
    const { dns, responder } = setup();
    dns.put('_acme-challenge.api', ['a', 'b']);
    await responder.removeTxt('_acme-challenge.api.example.com', 'a');
    expect(dns.values('_acme-challenge.api')).toEqual(['b']);

    await responder.removeTxt('_acme-challenge.api.example.com', 'b');
    expect(dns.sets.has('_acme-challenge.api')).toBe(false);
    expect(writes(dns).map((r) => `${r.method} if-match=${r.ifMatch}`)).toEqual(['PUT if-match=etag-1', 'DELETE if-match=etag-2']);

    const before = dns.requests.length;
    await responder.removeTxt('_acme-challenge.api.example.com', 'b');
    await responder.removeTxt('_acme-challenge.gone.example.com', 'never-set');
    expect(dns.requests.slice(before).every((r) => r.method === 'GET')).toBe(true);
  });

  test('a set changed by someone else between read and write is read again, and no value is lost', async () => {
    const { dns, responder } = setup();
    dns.put('_acme-challenge.race', ['first']);
    dns.interleave = () => dns.put('_acme-challenge.race', ['first', 'concurrent']);
    await responder.setTxt('_acme-challenge.race.example.com', 'ours');
    expect(dns.values('_acme-challenge.race')).toEqual(['first', 'concurrent', 'ours']);
    expect(writes(dns).map((r) => r.ifMatch)).toEqual(['etag-1', 'etag-2']);
  });

  test('a set created by someone else after we found none is read again, not overwritten', async () => {
    const { dns, responder } = setup();
    dns.interleave = () => dns.put('_acme-challenge.new', ['theirs']);
    await responder.setTxt('_acme-challenge.new.example.com', 'ours');
    expect(dns.values('_acme-challenge.new')).toEqual(['theirs', 'ours']);
  });

  test('Azure refusing the write (no DNS Zone Contributor role) reaches the caller with its status', async () => {
    const { dns, responder } = setup();
    dns.failWith = 403;
    await expect(responder.setTxt('_acme-challenge.www.example.com', 'v')).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  });

  test('a name outside the zone is refused before any request', async () => {
    const { dns, responder } = setup();
    await expect(responder.setTxt('_acme-challenge.www.example.org', 'v')).rejects.toThrow(/not in the DNS zone example\.com/);
    await expect(responder.setTxt('_acme-challenge.notexample.com', 'v')).rejects.toThrow(/not in the DNS zone/);
    expect(dns.requests).toEqual([]);
  });
});

describe('Azure DNS zone resource id and record names', () => {
  test('the resource id gives subscription, group and zone, whatever the case of its fixed segments', () => {
    expect(parseDnsZoneResourceId(ZONE_ID)).toEqual({ subscriptionId: '00000000-0000-0000-0000-00000000000a', resourceGroupName: 'dns-rg', zoneName: 'example.com' });
    expect(parseDnsZoneResourceId('/subscriptions/s/resourcegroups/RG/providers/microsoft.network/dnsZones/Example.COM/').zoneName).toBe('example.com');
  });

  test('anything else is refused with the expected shape', () => {
    expect(() => parseDnsZoneResourceId('example.com')).toThrow(/expected \/subscriptions\/\{subscription\}/);
    expect(() => parseDnsZoneResourceId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/example.com')).toThrow(/not an Azure DNS zone/);
  });

  test('names are relative to the zone; the apex is @; case and a trailing dot do not matter', () => {
    expect(relativeRecordName('_acme-challenge.a.b.Example.com.', 'example.com')).toBe('_acme-challenge.a.b');
    expect(relativeRecordName('example.com', 'example.com')).toBe('@');
    expect(dnsChallengeName('*.example.com')).toBe('_acme-challenge.example.com');
  });
});
