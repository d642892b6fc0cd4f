import path from 'node:path';

/**
 * Which file of the built dashboard folder a request path names, and the headers every dashboard answer
 * carries. Pure (no file system): the caller reads the file, so the refusal of anything outside the folder is
 * decided here and unit-tested on its own.
 */

/** The only kinds of file the dashboard is built into; anything else in the folder is never served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface StaticFile {
  /** Absolute path inside the root. */
  readonly file: string;
  readonly contentType: string;
}

/**
 * `relative` is the route's `{*path}` (already percent-decoded by the router, segments joined by `/`); empty
 * means the page itself. Returns undefined for anything that is not a plain file name under `root`: `.` or
 * `..` segments, backslashes, NUL, hidden files, an absolute path, an unknown extension.
 */
export function resolveStaticFile(root: string, relative: string): StaticFile | undefined {
  const wanted = relative === '' ? 'index.html' : relative;
  if (wanted.includes('\0') || wanted.includes('\\') || wanted.startsWith('/')) return undefined;
  const segments = wanted.split('/');
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return undefined;
  const contentType = CONTENT_TYPES[path.extname(wanted).toLowerCase()];
  if (!contentType) return undefined;
  const base = path.resolve(root);
  const file = path.resolve(base, ...segments);
  // Belt and braces: whatever the checks above missed, nothing outside the root is ever named.
  if (!file.startsWith(base + path.sep)) return undefined;
  return { file, contentType };
}

/**
 * Same origin only: the page loads its own script and stylesheet, talks to this app's API and nothing else;
 * no inline script or style. In entra mode the identity provider's origins (shared/dashboard/sign-in-config.ts)
 * join `connect-src` (MSAL reads the authority's metadata and redeems codes there) and `frame-src` (it renews
 * tokens in a hidden iframe there), and the page may frame itself, since the iframe's answer comes back
 * through the dashboard's own page (MSAL's redirect bridge). With no such origins nothing may frame it.
 */
export function contentSecurityPolicy(identityProviderOrigins: readonly string[] = []): string {
  const signInElsewhere = identityProviderOrigins.length > 0;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...identityProviderOrigins].join(' ')}`,
    ...(signInElsewhere ? [`frame-src ${identityProviderOrigins.join(' ')}`] : []),
    "base-uri 'none'",
    "form-action 'self'",
    signInElsewhere ? "frame-ancestors 'self'" : "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers on every dashboard answer, files and JSON alike. */
export function dashboardHeaders(contentType: string, identityProviderOrigins: readonly string[] = []): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': contentSecurityPolicy(identityProviderOrigins),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // File names are not content-hashed, so the browser asks again each time and gets a 304 while unchanged.
    'cache-control': 'no-cache',
  };
}
