import type { AuthConfig } from '../config';
import { LOCAL_AUTHORITY } from './constants';

/**
 * The `WWW-Authenticate` value of every 401, in Key Vault's shape:
 *
 *   Bearer authorization="https://login.microsoftonline.com/{tenantId}", resource="https://vault.azure.net"
 *
 * The SDK's parser splits on `/,? +/` and keeps `key="value"` pairs, so each value must be quoted and free of
 * spaces; it requests the scope `resource + "/.default"`, so the resource carries no trailing slash; and it
 * reads the tenant from the path of `authorization`, which must therefore be an absolute URL. In local mode the
 * authority is `https://localhost/local` (tenant `local`, see `LOCAL_AUTHORITY`).
 */
export function bearerChallenge(auth: AuthConfig): string {
  const authorization = auth.mode === 'entra' ? `${trimSlashes(auth.authorityHost)}/${auth.tenantId}` : LOCAL_AUTHORITY;
  return `Bearer authorization=${quoted('authorization', authorization)}, resource=${quoted('resource', challengeResource(auth.audience))}`;
}

/** The audience as the challenge advertises it: without trailing slashes (the SDK appends `/.default`). */
function challengeResource(audience: string): string {
  return trimSlashes(audience);
}

function trimSlashes(value: string): string {
  return value.trim().replace(/\/+$/, '');
}

function quoted(name: string, value: string): string {
  // A space or quote would split or truncate the value in the SDK's parser; refuse the setting loudly.
  if (value === '' || /[\s",]/.test(value)) {
    throw new Error(`Cannot advertise ${name} "${value}" in a WWW-Authenticate challenge: it must be non-empty and contain no spaces, commas or quotes`);
  }
  return `"${value}"`;
}
