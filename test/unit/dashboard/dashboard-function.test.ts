import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { dashboardFiles, dashboardLocalToken } from '../../../functions/dashboard';
import { resetConfigForTests } from '../../../shared/config';

/** The dashboard function on its own, against a folder standing in for the build, in either auth mode. */
const saved = { ...process.env };
let dir: string;

function useSettings(mode: 'local' | 'entra', more: Record<string, string> = {}) {
  process.env = {
    ...saved,
    CertStorage: 'UseDevelopmentStorage=true',
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    KEY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    AUTH_MODE: mode,
    AUTH_TENANT_ID: 'tenant-1',
    AUTH_LOCAL_KEY_FILE: path.join(dir, 'key.json'),
    DASHBOARD_DIR: path.join(dir, 'page'),
    ...more,
  };
  resetConfigForTests();
}

const context = () => new InvocationContext({ functionName: 'dashboard' });
const get = (url: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
  dashboardFiles(new HttpRequest({ method: 'GET', url, params, headers }), context());

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dashboard-fn-'));
  mkdirSync(path.join(dir, 'page'));
  writeFileSync(path.join(dir, 'page', 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(path.join(dir, 'secret.js'), 'outside');
});
afterAll(() => {
  process.env = saved;
  resetConfigForTests();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard function', () => {
  beforeEach(() => useSettings('local'));

  it('redirects /dashboard to /dashboard/, where the page is, with a same-origin CSP, nosniff and an ETag that gives a 304', async () => {
    expect(await get('http://h/dashboard', {})).toMatchObject({ status: 301, headers: { location: '/dashboard/' } });
    const page = await get('http://h/dashboard/', {});
    expect(page.status).toBe(200);
    const headers = page.headers as Record<string, string>;
    expect(headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(String(page.body)).toContain('<title>x</title>');
    expect((await get('http://h/dashboard/', {}, { 'if-none-match': headers.etag ?? '' })).status).toBe(304);
  });

  it('never serves a file outside its folder, however the path is written', async () => {
    for (const relative of ['../secret.js', '..%2fsecret.js', '..\\secret.js']) {
      const response = await get(`http://h/dashboard/${relative}`, { path: relative });
      expect({ relative, status: response.status }).toEqual({ relative, status: 404 });
      expect(String(response.body ?? JSON.stringify(response.jsonBody))).not.toContain('outside');
    }
  });

  it('answers config.json with the sign-in of the mode', async () => {
    expect((await get('http://h/dashboard/config.json', { path: 'config.json' })).jsonBody).toEqual({ signIn: 'local' });
    useSettings('entra');
    expect((await get('http://h/dashboard/config.json', { path: 'config.json' })).jsonBody).toMatchObject({ signIn: 'unavailable' });
    useSettings('entra', { DASHBOARD_CLIENT_ID: '11111111-2222-3333-4444-555555555555' });
    expect((await get('http://h/dashboard/config.json', { path: 'config.json' })).jsonBody).toMatchObject({ signIn: 'entra', authority: 'https://login.microsoftonline.com/tenant-1' });
  });

  it("lets the page itself (not only config.json) reach Entra ID and frame its renewal in entra mode, and frames nothing in local mode", async () => {
    const csp = async () => ((await get('http://h/dashboard/', {})).headers as Record<string, string>)['content-security-policy'] ?? '';
    expect(await csp()).toContain("frame-ancestors 'none'");
    expect(await csp()).not.toContain('frame-src');
    useSettings('entra', { DASHBOARD_CLIENT_ID: '11111111-2222-3333-4444-555555555555' });
    const entra = await csp();
    expect(entra).toContain("connect-src 'self' https://login.microsoftonline.com");
    expect(entra).toContain('frame-src https://login.microsoftonline.com');
    expect(entra).toContain("frame-ancestors 'self'");
  });

  it('has no local-token route in entra mode: 404, and no token', async () => {
    useSettings('entra');
    const request = new HttpRequest({ method: 'POST', url: 'http://h/dashboard/local-token', headers: { 'content-type': 'application/json' }, body: { string: '{"role":"officer"}' } });
    const response = await dashboardLocalToken(request, context());
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.jsonBody)).not.toContain('token"');
  });

  it('refuses a role other than reader or officer, and a body that is not JSON', async () => {
    const post = (body: string, type = 'application/json') =>
      dashboardLocalToken(new HttpRequest({ method: 'POST', url: 'http://h/dashboard/local-token', headers: { 'content-type': type }, body: { string: body } }), context());
    expect((await post('{"role":"administrator"}')).status).toBe(400);
    expect((await post('role=officer', 'application/x-www-form-urlencoded')).status).toBe(415);
  });
});
