/**
 * Local mode's stand-in for an Entra tenant. The SDK derives the tenant from the challenge's `authorization`
 * URL (`new URL(authorization).pathname.substring(1)`), so the URL must be absolute and its path a single
 * tenant-id-like word: `https://localhost/local` gives tenant `local`. Nothing ever fetches this URL; it only
 * has to parse. The same URL is the `iss` of local tokens, so a local token names the authority that the
 * challenge advertised, as Entra v1 tokens do (`https://sts.windows.net/{tenant}/`).
 */
export const LOCAL_TENANT_ID = 'local';
export const LOCAL_AUTHORITY = `https://localhost/${LOCAL_TENANT_ID}`;
export const LOCAL_ISSUER = LOCAL_AUTHORITY;

/** The key file the local host and `npm run token` share unless AUTH_LOCAL_KEY_FILE says otherwise. */
export const DEFAULT_LOCAL_KEY_FILE = '.local/auth-signing-key.json';

/** Local tokens last a working day unless asked otherwise. */
export const DEFAULT_LOCAL_TOKEN_LIFETIME_SECONDS = 24 * 3600;

/** Clock skew tolerated on `exp` and `nbf`, between this app and whoever issued the token. */
export const CLOCK_TOLERANCE_SECONDS = 60;

/** Algorithms accepted per mode: Entra signs access tokens with RS256; local keys are P-256. */
export const ENTRA_ALGORITHMS = ['RS256'];
export const LOCAL_ALGORITHMS = ['ES256'];
