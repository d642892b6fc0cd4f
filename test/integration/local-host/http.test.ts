import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { startLocalHost, type LocalHost } from '../../../scripts/local-host/host';
// Registered in this process but not loaded by the host below: the host must leave it out.
import './fixtures/timer-functions';

/** The HTTP side of the local host, with fixture functions only (no storage needed). */

const FIXTURES = path.join(__dirname, 'fixtures');

/** A raw request, so the test controls the Host header and sees the response exactly. */
function send(
  host: LocalHost,
  method: string,
  pathAndQuery: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: host.port, method, path: pathAndQuery, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('local host: HTTP', () => {
  let host: LocalHost;
  const logLines: string[] = [];

  beforeAll(async () => {
    host = await startLocalHost({
      port: 0,
      functionModules: [path.join(FIXTURES, 'http-functions.ts')],
      hostJsonPath: path.join(FIXTURES, 'host.json'),
      log: (line) => logLines.push(line),
    });
  });

  afterAll(async () => {
    await host?.stop();
  });

  it('serves only the functions of the modules it was given, not everything registered in the process', () => {
    expect(host.registrations.map((fn) => fn.metadata.name).sort()).toEqual([
      'fixtureEcho',
      'fixtureLiteral',
      'fixtureNoContent',
      'fixtureResponseObject',
      'fixtureThrows',
    ]);
    expect(host.url).toBe(`http://127.0.0.1:${host.port}`);
  });

  it('round-trips a request: absolute URL on its own origin (never the Host header), decoded query and params, body, JSON response', async () => {
    const response = await send(host, 'POST', '/fixture/echo/my%2Dcert/v1?api%2Dversion=7.5', {
      headers: { host: 'vault.local:8443', 'x-test-header': 'hello', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-fixture']).toBe('echo');
    expect(JSON.parse(response.text)).toEqual({
      method: 'POST',
      url: `http://127.0.0.1:${host.port}/fixture/echo/my%2Dcert/v1?api%2Dversion=7.5`,
      params: { name: 'my-cert', version: 'v1' },
      apiVersion: '7.5',
      header: 'hello',
      body: '{"a":1}',
    });
  });

  it('leaves an absent optional parameter out and accepts a trailing slash', async () => {
    const response = await fetch(`${host.url}/fixture/echo/only-name/?api-version=7.4`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { params: Record<string, string>; apiVersion: string; url: string };
    expect(body.params).toEqual({ name: 'only-name' });
    expect(body.apiVersion).toBe('7.4');
    expect(body.url).toBe(`${host.url}/fixture/echo/only-name/?api-version=7.4`);
  });

  it('routes a literal segment before a parameter', async () => {
    const response = await fetch(`${host.url}/fixture/echo/issuers/ca1`);
    expect(await response.json()).toEqual({ literal: true, issuer: 'ca1' });
  });

  it('answers 405 in Key Vault error shape when the path matches but the method does not', async () => {
    const response = await fetch(`${host.url}/fixture/echo/x`, { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST');
    expect(await response.json()).toEqual({ error: { code: 'MethodNotAllowed', message: 'HTTP PUT not allowed' } });
  });

  it('answers 404 JSON when no route matches', async () => {
    const response = await fetch(`${host.url}/nothing/here`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('NotFound');
  });

  it('turns a throwing handler into a 500 without internals, and logs the error', async () => {
    const response = await fetch(`${host.url}/fixture/throws`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'InternalError', message: expect.any(String) } });
    expect(text).not.toContain('secret detail');
    expect(text).not.toContain('at ');
    expect(logLines.some((line) => line.includes('fixture failure with a secret detail'))).toBe(true);
  });

  it('answers 204 when the handler returns nothing', async () => {
    const response = await fetch(`${host.url}/fixture/no-content`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('writes an HttpResponse with its status, headers and cookies', async () => {
    const response = await fetch(`${host.url}/fixture/response-object`);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.getSetCookie()).toEqual(['session=abc; HttpOnly']);
    expect(await response.text()).toBe('created');
  });
});
