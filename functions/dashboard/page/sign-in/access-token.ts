/**
 * What the page reads from its own access token, and nothing more. The payload is decoded, not verified:
 * the roles only decide which buttons the page shows. The API verifies every token and decides every action
 * itself (a reader who crafts a request still gets 403 ForbiddenByRbac).
 */

/** The app roles in an access token's `roles` claim (`KeyVault.Reader`, ...); none when it has none or is not a JWT. */
export function rolesFromAccessToken(token: string): string[] {
  const payload = jwtPayload(token);
  const roles = payload?.roles;
  return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
}

function jwtPayload(token: string): Record<string, unknown> | undefined {
  const segments = token.split('.');
  if (segments.length !== 3 || !segments[1]) return undefined;
  try {
    const parsed: unknown = JSON.parse(base64UrlToText(segments[1]));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** base64url (no padding) to UTF-8 text, with what browsers have (atob, TextDecoder): names may be non-ASCII. */
function base64UrlToText(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(segment.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/**
 * Whether this URL is Entra ID answering an authorization request (`state` with `code` or `error`, in the
 * fragment or the query): the page was opened as the redirect target, in a popup, a hidden renewal iframe,
 * or back from a full-page redirect, and must hand the answer to MSAL instead of starting the dashboard.
 * The page's own fragments (`#/certificates/web`) are never taken for one.
 */
export function carriesAuthResponse(location: { hash: string; search: string }): boolean {
  return [location.hash.replace(/^#/, ''), location.search.replace(/^\?/, '')].some((part) => {
    const params = new URLSearchParams(part);
    return params.has('state') && (params.has('code') || params.has('error'));
  });
}
