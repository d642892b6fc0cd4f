import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { loadConfig } from '../shared/config';
import { dashboardSignInConfig, identityProviderOrigins } from '../shared/dashboard/sign-in-config';
import { dashboardRoleOf, mintDashboardToken } from './dashboard/local-token';
import { dashboardHeaders, resolveStaticFile } from './dashboard/static-files';
import { dashboardRoot } from './dashboard/static-root';
import { log } from './logging/log';

/**
 * The operator's dashboard (functions/dashboard/page, built into dist/dashboard by `npm run build`):
 *
 * - GET /dashboard → 301 to /dashboard/ (the page loads ./app.js, which must resolve under /dashboard/);
 * - GET /dashboard/ and /dashboard/{file}: the built files, same-origin CSP, nosniff, no-cache with an ETag;
 * - GET /dashboard/config.json: how the page signs in (shared/dashboard/sign-in-config.ts);
 * - POST /dashboard/local-token: in local auth mode only, a short-lived reader or officer token (local-token.ts).
 *
 * Anonymous at the Functions level, like the ACME answer: the files are public and hold nothing secret. Every
 * API call the page makes carries a bearer token and goes through the same validation and roles as any SDK's.
 * Not a Key Vault route, so no api-version and no token here; other methods on these paths reach the
 * authenticated catch-all.
 */

const JSON_TYPE = 'application/json; charset=utf-8';

/** The sign-in origins the page's CSP must allow: the same on every answer, the HTML page's above all. */
function signInOrigins(): string[] {
  return identityProviderOrigins(dashboardSignInConfig(loadConfig()));
}

function notFound(): HttpResponseInit {
  return { status: 404, headers: dashboardHeaders(JSON_TYPE, signInOrigins()), jsonBody: { error: { code: 'NotFound', message: 'No such file in the dashboard.' } } };
}

export async function dashboardFiles(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const url = new URL(request.url);
  const relative = request.params.path ?? '';
  let response: HttpResponseInit;
  if (url.pathname.toLowerCase() === '/dashboard') {
    response = { status: 301, headers: { location: '/dashboard/', 'cache-control': 'no-cache' } };
  } else if (relative === 'config.json') {
    const config = dashboardSignInConfig(loadConfig());
    response = { status: 200, headers: dashboardHeaders(JSON_TYPE, identityProviderOrigins(config)), jsonBody: config };
  } else {
    response = await staticFile(relative, request.headers.get('if-none-match'));
  }
  log(context, (response.status ?? 200) >= 500 ? 'error' : 'info', `GET ${url.pathname} ${response.status ?? 200}`);
  return response;
}

async function staticFile(relative: string, ifNoneMatch: string | null): Promise<HttpResponseInit> {
  const resolved = resolveStaticFile(dashboardRoot(), relative);
  if (!resolved) return notFound();
  let body: Buffer;
  try {
    body = await readFile(resolved.file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return notFound();
    throw error;
  }
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const headers = { ...dashboardHeaders(resolved.contentType, signInOrigins()), etag };
  if (ifNoneMatch !== null && ifNoneMatch.split(',').some((tag) => tag.trim() === etag)) return { status: 304, headers };
  return { status: 200, headers, body };
}

/** In entra mode (or anything but local) the route does not exist: 404, as for any unknown file. */
export async function dashboardLocalToken(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const auth = loadConfig().auth;
  let response: HttpResponseInit;
  if (auth.mode !== 'local') {
    response = notFound();
  } else if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) {
    // JSON only: a cross-site form cannot send it without a preflight, which this route never answers.
    response = { status: 415, headers: dashboardHeaders(JSON_TYPE), jsonBody: { error: { code: 'BadParameter', message: 'Send {"role":"reader"} or {"role":"officer"} as application/json.' } } };
  } else {
    const role = dashboardRoleOf((await request.text()).slice(0, 1000));
    response = role
      ? { status: 200, headers: { ...dashboardHeaders(JSON_TYPE), 'cache-control': 'no-store' }, jsonBody: await mintDashboardToken(auth.keyFile, auth.audience, role) }
      : { status: 400, headers: dashboardHeaders(JSON_TYPE), jsonBody: { error: { code: 'BadParameter', message: 'The role must be "reader" or "officer".' } } };
  }
  log(context, 'info', `POST /dashboard/local-token ${response.status ?? 200}`);
  return response;
}

app.http('dashboard', { route: 'dashboard/{*path}', methods: ['GET'], authLevel: 'anonymous', handler: dashboardFiles });
app.http('dashboardLocalToken', { route: 'dashboard/local-token', methods: ['POST'], authLevel: 'anonymous', handler: dashboardLocalToken });
