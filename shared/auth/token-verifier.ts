import type { JWTPayload, JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import type { AuthConfig } from '../config';
import { CLOCK_TOLERANCE_SECONDS, ENTRA_ALGORITHMS, LOCAL_ALGORITHMS, LOCAL_ISSUER, LOCAL_TENANT_ID } from './constants';
import { errorCode, loadJose, type Jose } from './jose';
import { readLocalSigningKey } from './local-signing-key';
import { withVerifiedTokenCache } from './verified-token-cache';

/**
 * Checks bearer tokens. Two sources of trust, chosen by `AuthConfig.mode`:
 *
 * - entra: Microsoft Entra ID access tokens for the configured audience (by default Key Vault's own
 *   `https://vault.azure.net`), signed RS256 with a key from the tenant's published JWKS. The tenant's OpenID
 *   metadata is fetched once per verifier (a failed fetch is forgotten, so the next request retries); jose's
 *   remote JWK set caches the keys and refetches when a token names an unknown `kid` (30 s cooldown).
 * - local: ES256 tokens signed with the key in `AUTH_LOCAL_KEY_FILE`, issuer `https://localhost/local`.
 *
 * Accepted variants (both modes):
 * - audience: the configured value and, when it is a URL, the same URL with a trailing slash. Entra stamps
 *   `aud` with the resource exactly as the client asked for it, and `https://vault.azure.net/` and
 *   `https://vault.azure.net` name the same resource. Nothing else (no app-id GUID / `api://` aliasing).
 * - issuer (entra): the v2.0 issuer from the metadata, and the v1 issuer `https://sts.windows.net/{tenant}/`:
 *   resources such as Key Vault get v1 tokens by default. Both are signed by the same tenant keys.
 * - time: `exp` is required; `exp` and `nbf` are checked with 60 s of clock tolerance.
 *
 * A token that fails any check raises `AuthenticationError` (answered 401). When the verifier itself cannot
 * decide, because the issuer's metadata or keys (or the local key file) cannot be loaded, it raises
 * `AuthenticationUnavailableError` (answered 503): that is the server's problem, not the caller's.
 * Nothing here logs, and no message contains the token.
 */

export interface VerifiedCaller {
  /** Entra: the principal's object id (`oid`, what Azure RBAC keys on), else `sub`. Local: `sub`. */
  subject: string;
  /** App roles from the `roles` claim; empty if none. */
  roles: string[];
  /** Entra: `tid`. Local: `local`. */
  tenantId?: string;
  /** Every claim of the verified token. */
  claims: Record<string, unknown>;
}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedCaller>;
}

export interface TokenVerifierDeps {
  /** For the OpenID metadata and JWKS requests (entra). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** The clock `exp`/`nbf` are checked against. Default: now. */
  now?: () => Date;
}

export type AuthenticationFailureReason =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'not-yet-valid'
  | 'signature'
  | 'algorithm'
  | 'audience'
  | 'issuer'
  | 'claims';

/** The token was refused. `message` is safe to return to the caller: it never contains the token. */
export class AuthenticationError extends Error {
  constructor(
    readonly reason: AuthenticationFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** Tokens cannot be checked right now (issuer metadata, JWKS or local key unavailable). Safe to log. */
export class AuthenticationUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthenticationUnavailableError';
  }
}

/** How long the OpenID metadata request may take before the verifier gives up (and answers 503). */
const METADATA_TIMEOUT_MS = 10_000;

/** The v1 issuer of Entra access tokens, which Key Vault-style resources receive unless they opt into v2. */
function entraV1Issuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/** `https://host/path` and `https://host/path/` are the same resource to Entra; other audiences are exact. */
function acceptedAudiences(audience: string): string[] {
  const trimmed = audience.trim().replace(/\/+$/, '');
  return trimmed.includes('://') ? [trimmed, `${trimmed}/`] : [audience.trim()];
}

export function createTokenVerifier(auth: AuthConfig, deps: TokenVerifierDeps = {}): TokenVerifier {
  const verifier = auth.mode === 'entra' ? entraVerifier(auth, deps) : localVerifier(auth, deps);
  return withVerifiedTokenCache(verifier, deps.now ? { now: deps.now } : {});
}

interface Trust {
  issuers: string[];
  algorithms: string[];
  audiences: string[];
  getKey: JWTVerifyGetKey;
}

function entraVerifier(auth: Extract<AuthConfig, { mode: 'entra' }>, deps: TokenVerifierDeps): TokenVerifier {
  const metadataUrl = `${auth.authorityHost.replace(/\/+$/, '')}/${auth.tenantId}/v2.0/.well-known/openid-configuration`;
  const audiences = acceptedAudiences(auth.audience);
  let trust: Promise<Trust> | undefined;

  const fetchTrust = async (): Promise<Trust> => {
    const jose = await loadJose();
    const fetchImpl = deps.fetch ?? fetch;
    let metadata: unknown;
    try {
      const response = await fetchImpl(metadataUrl, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      metadata = await response.json();
    } catch (error) {
      throw new AuthenticationUnavailableError(`The OpenID metadata ${metadataUrl} could not be loaded: ${describe(error)}`, {
        cause: error,
      });
    }
    const { issuer, jwks_uri: jwksUri } = (metadata ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof issuer !== 'string' || !issuer || typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
      throw new AuthenticationUnavailableError(`The OpenID metadata ${metadataUrl} has no valid "issuer" and "jwks_uri"`);
    }
    const jwks = jose.createRemoteJWKSet(new URL(jwksUri), deps.fetch ? { [jose.customFetch]: deps.fetch } : {});
    const getKey: JWTVerifyGetKey = async (header, token) => {
      try {
        return await jwks(header, token);
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
          throw new AuthenticationError('signature', 'Token was signed by a key the token issuer does not publish.');
        }
        throw new AuthenticationUnavailableError(`The token signing keys ${jwksUri} could not be loaded: ${describe(error)}`, {
          cause: error,
        });
      }
    };
    const v1 = entraV1Issuer(tenantFromV2Issuer(issuer) ?? auth.tenantId);
    return { issuers: [...new Set([issuer, v1])], algorithms: ENTRA_ALGORITHMS, audiences, getKey };
  };

  const loadTrust = (): Promise<Trust> => {
    trust ??= fetchTrust().catch((error: unknown) => {
      trust = undefined;
      throw error;
    });
    return trust;
  };

  return {
    async verify(token) {
      const jose = await loadJose();
      // A token that is not even a JWT is the caller's problem, whatever the state of the metadata.
      checkShape(jose, token);
      const payload = await verifyWith(jose, token, await loadTrust(), deps);
      const subject = stringClaim(payload.oid) ?? stringClaim(payload.sub);
      return caller(payload, subject, stringClaim(payload.tid));
    },
  };
}

function localVerifier(auth: Extract<AuthConfig, { mode: 'local' }>, deps: TokenVerifierDeps): TokenVerifier {
  interface LoadedKey {
    kid: string;
    key: Awaited<ReturnType<Jose['importJWK']>>;
    loadedAt: number;
  }
  let loading: Promise<LoadedKey> | undefined;
  const loadKey = (): Promise<LoadedKey> => {
    loading ??= (async () => {
      const jose = await loadJose();
      try {
        const { kid, publicJwk } = await readLocalSigningKey(auth.keyFile);
        return { kid, key: await jose.importJWK({ ...publicJwk }, 'ES256'), loadedAt: Date.now() };
      } catch (error) {
        throw new AuthenticationUnavailableError(describe(error), { cause: error });
      }
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  const getKey: JWTVerifyGetKey = async (header) => {
    let current = await loadKey();
    if (header.kid !== undefined && header.kid !== current.kid && Date.now() - current.loadedAt > 5_000) {
      // The key file may have been replaced since it was read (e.g. `.local` deleted, `npm run token` again).
      loading = undefined;
      current = await loadKey();
    }
    if (header.kid !== undefined && header.kid !== current.kid) {
      throw new AuthenticationError('signature', 'Token was signed by a different local signing key; get a new token with `npm run token`.');
    }
    return current.key;
  };

  const trust: Trust = { issuers: [LOCAL_ISSUER], algorithms: LOCAL_ALGORITHMS, audiences: acceptedAudiences(auth.audience), getKey };
  return {
    async verify(token) {
      const jose = await loadJose();
      checkShape(jose, token);
      const payload = await verifyWith(jose, token, trust, deps);
      return caller(payload, stringClaim(payload.sub), stringClaim(payload.tid) ?? LOCAL_TENANT_ID);
    },
  };
}

function checkShape(jose: Jose, token: string): void {
  if (typeof token !== 'string' || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw malformed();
  try {
    jose.decodeProtectedHeader(token);
  } catch {
    throw malformed();
  }
}

async function verifyWith(jose: Jose, token: string, trust: Trust, deps: TokenVerifierDeps): Promise<JWTPayload> {
  try {
    const { payload } = await jose.jwtVerify(token, trust.getKey, {
      issuer: trust.issuers,
      audience: trust.audiences,
      algorithms: trust.algorithms,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp'],
      ...(deps.now ? { currentDate: deps.now() } : {}),
    });
    return payload;
  } catch (error) {
    throw translate(error, trust);
  }
}

function caller(payload: JWTPayload, subject: string | undefined, tenantId: string | undefined): VerifiedCaller {
  if (!subject) throw new AuthenticationError('claims', 'Token has no subject ("oid" or "sub" claim).');
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((role): role is string => typeof role === 'string') : [];
  return { subject, roles, ...(tenantId ? { tenantId } : {}), claims: { ...payload } };
}

/** jose's errors, by code (they may come from another realm under jest), as refusals a caller can read. */
function translate(error: unknown, trust: Trust): unknown {
  if (error instanceof AuthenticationError || error instanceof AuthenticationUnavailableError) return error;
  switch (errorCode(error)) {
    case 'ERR_JWT_EXPIRED':
      return new AuthenticationError('expired', 'Token is expired.');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claimError(error as { claim?: unknown; payload?: Record<string, unknown> }, trust);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new AuthenticationError('signature', 'Token signature is invalid.');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AuthenticationError('algorithm', `Token signing algorithm is not allowed; expected ${trust.algorithms.join(' or ')}.`);
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return malformed();
    default:
      return error;
  }
}

function claimError(error: { claim?: unknown; payload?: Record<string, unknown> }, trust: Trust): AuthenticationError {
  const found = error.payload ?? {};
  switch (error.claim) {
    case 'aud':
      return new AuthenticationError('audience', `AKV10022: Invalid audience. Expected ${trust.audiences[0]}, found: ${shown(found.aud)}.`);
    case 'iss':
      return new AuthenticationError('issuer', `AKV10032: Invalid issuer. Expected one of ${trust.issuers.join(', ')}, found ${shown(found.iss)}.`);
    case 'nbf':
      return new AuthenticationError('not-yet-valid', 'Token is not yet valid.');
    case 'exp':
      return new AuthenticationError('claims', 'Token has no valid expiry ("exp" claim).');
    default:
      return new AuthenticationError('claims', `Token claim "${typeof error.claim === 'string' ? error.claim : 'unknown'}" is invalid.`);
  }
}

function malformed(): AuthenticationError {
  return new AuthenticationError('malformed', 'Bearer token is malformed.');
}

/** A claim value quoted back in an error message: printable, bounded. Claims, never the token itself. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : Array.isArray(value) ? value.filter((v) => typeof v === 'string').join(', ') : '';
  if (!text) return 'none';
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 200 ? `${printable.slice(0, 200)}...` : printable;
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** `https://login.microsoftonline.com/{tenant-guid}/v2.0` → the tenant GUID (the configured id may be a domain). */
function tenantFromV2Issuer(issuer: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/]+\/([^/]+)\/v2\.0\/?$/i.exec(issuer)?.[1];
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    const cause = (error as { cause?: unknown }).cause;
    const causeText = typeof cause === 'object' && cause !== null && 'message' in cause && typeof cause.message === 'string' ? ` (${cause.message})` : '';
    return `${error.message}${causeText}`;
  }
  return String(error);
}
