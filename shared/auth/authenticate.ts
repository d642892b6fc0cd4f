import type { AuthConfig } from '../config';
import { bearerChallenge } from './challenge';
import {
  AuthenticationError,
  AuthenticationUnavailableError,
  type AuthenticationFailureReason,
  type TokenVerifier,
  type VerifiedCaller,
} from './token-verifier';

/**
 * The first thing every HTTP function does, before it reads the body: find a bearer token and verify it.
 *
 * - No token (no header, another scheme, `Bearer` with nothing after it): 401 with Key Vault's exact body,
 *   `AKV10000: Request is missing a Bearer or PoP token.`, and the challenge. This is how every SDK client
 *   starts: its first request carries no token and an empty body, and it reads the tenant and scope from
 *   the `WWW-Authenticate` header of this answer.
 * - A token that fails verification: 401 with the same challenge and a message saying why (Key Vault's
 *   wording where known, e.g. `AKV10022: Invalid audience. ...`). The SDK then fetches a fresh token and
 *   retries once before surfacing the message.
 * - The verifier cannot decide (issuer metadata / keys / local key file unavailable): 503
 *   `ServiceUnavailable` with `Retry-After`, so the caller learns it is the server's problem and the SDK's
 *   retry policy tries again. No challenge: a new token would not help.
 *
 * `reason` is for the app's own logs; it and the messages never contain the token.
 *
 * `headers` is anything with a `get` (the Functions `HttpRequest.headers`, a fetch `Headers`, core's
 * `HttpHeaders`); only `authorization` is read.
 */

export const MISSING_TOKEN_MESSAGE = 'AKV10000: Request is missing a Bearer or PoP token.';
const UNAVAILABLE_MESSAGE = 'The service cannot verify access tokens at the moment. Retry the request later.';
const UNAVAILABLE_RETRY_AFTER_SECONDS = 10;

export interface Authenticated {
  ok: true;
  caller: VerifiedCaller;
}

export interface Unauthorized {
  ok: false;
  status: 401;
  headers: Record<string, string>;
  body: { error: { code: 'Unauthorized'; message: string } };
  reason: AuthenticationFailureReason;
}

export interface AuthenticationUnavailable {
  ok: false;
  status: 503;
  headers: Record<string, string>;
  body: { error: { code: 'ServiceUnavailable'; message: string } };
  /** Why tokens cannot be checked (e.g. the metadata URL and the network error). For logs only. */
  reason: string;
}

export type AuthenticateResult = Authenticated | Unauthorized | AuthenticationUnavailable;

export async function authenticate(
  headers: { get(name: string): string | null | undefined },
  verifier: TokenVerifier,
  auth: AuthConfig,
): Promise<AuthenticateResult> {
  const token = bearerToken(headers.get('authorization'));
  if (token === undefined) return unauthorized(auth, MISSING_TOKEN_MESSAGE, 'missing');
  try {
    return { ok: true, caller: await verifier.verify(token) };
  } catch (error) {
    if (error instanceof AuthenticationError) return unauthorized(auth, error.message, error.reason);
    if (error instanceof AuthenticationUnavailableError) return unavailable(error.message);
    throw error;
  }
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or undefined. */
function bearerToken(header: string | null | undefined): string | undefined {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** A 401 with the challenge; also for callers that refuse a token for reasons of their own. */
function unauthorized(auth: AuthConfig, message: string, reason: AuthenticationFailureReason): Unauthorized {
  return {
    ok: false,
    status: 401,
    headers: { 'WWW-Authenticate': bearerChallenge(auth) },
    body: { error: { code: 'Unauthorized', message } },
    reason,
  };
}

function unavailable(reason: string): AuthenticationUnavailable {
  return {
    ok: false,
    status: 503,
    headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
    body: { error: { code: 'ServiceUnavailable', message: UNAVAILABLE_MESSAGE } },
    reason,
  };
}
