import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_LOCAL_TOKEN_LIFETIME_SECONDS, LOCAL_ISSUER, LOCAL_TENANT_ID } from './constants';
import { loadJose } from './jose';

/**
 * Local mode signs its own tokens. The key is one ES256 private JWK in a JSON file (`AUTH_LOCAL_KEY_FILE`,
 * default `.local/auth-signing-key.json`), shared by the local host (which verifies) and `npm run token`
 * (which signs). It is created once, readable by its owner only, and never overwritten: replacing it would
 * silently invalidate every token already handed out.
 */

export interface EcPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export interface EcPrivateJwk extends EcPublicJwk {
  d: string;
}

export interface LocalSigningKey {
  kid: string;
  privateJwk: EcPrivateJwk;
  publicJwk: EcPublicJwk;
}

export interface LocalTokenOptions {
  audience: string;
  /** `sub` of the token; default `local-user`. */
  subject?: string;
  /** App roles, as Entra puts them in the `roles` claim. */
  roles?: string[];
  /** Default 24 hours. */
  lifetimeSeconds?: number;
}

const DEFAULT_LOCAL_SUBJECT = 'local-user';

const generateEcKeyPair = promisify(generateKeyPair);

/** Creates the key file (and its directory) unless it exists. Safe to race with another process. */
export async function ensureLocalSigningKey(file: string): Promise<void> {
  if (await exists(file)) return;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = await generateEcKeyPair('ec', { namedCurve: 'P-256' });
  const exported = privateKey.export({ format: 'jwk' });
  const jwk: EcPrivateJwk = {
    kty: 'EC',
    crv: 'P-256',
    x: String(exported.x),
    y: String(exported.y),
    d: String(exported.d),
    kid: randomBytes(12).toString('base64url'),
    alg: 'ES256',
    use: 'sig',
  };
  const content = `${JSON.stringify(jwk, null, 2)}\n`;
  // Write a private temporary file, then hard-link it into place: the link fails if the file appeared in the
  // meantime (another process won the race; its key stands), and a reader never sees a half-written key.
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
    // A file system without hard links: exclusive create is the next best thing.
    await writeFile(file, content, { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** Reads and checks the key file. Throws if it is missing or is not an ES256 private JWK with a `kid`. */
export async function readLocalSigningKey(file: string): Promise<LocalSigningKey> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(`The local signing key ${file} does not exist; run \`npm run token\` or start the local host to create it`, {
        cause: error,
      });
    }
    throw new Error(`The local signing key ${file} could not be read: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const jwk = parsed as Partial<Record<keyof EcPrivateJwk, unknown>> | null;
  const text = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
  if (
    typeof jwk !== 'object' ||
    jwk === null ||
    jwk.kty !== 'EC' ||
    jwk.crv !== 'P-256' ||
    !text(jwk.x) ||
    !text(jwk.y) ||
    !text(jwk.d) ||
    !text(jwk.kid) ||
    (jwk.alg !== undefined && jwk.alg !== 'ES256')
  ) {
    throw new Error(`The local signing key ${file} is not an ES256 (P-256) private JWK with a "kid"`);
  }
  const publicJwk: EcPublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: jwk.kid, alg: 'ES256', use: 'sig' };
  return { kid: jwk.kid, publicJwk, privateJwk: { ...publicJwk, d: jwk.d } };
}

/** Signs a token the local-mode verifier accepts for `audience`. The key file must exist. */
export async function issueLocalToken(file: string, options: LocalTokenOptions): Promise<string> {
  const lifetime = options.lifetimeSeconds ?? DEFAULT_LOCAL_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime <= 0) throw new RangeError(`Token lifetime must be a positive whole number of seconds, got ${lifetime}`);
  if (!options.audience) throw new RangeError('A token needs an audience');
  const jose = await loadJose();
  const key = await readLocalSigningKey(file);
  const privateKey = await jose.importJWK({ ...key.privateJwk }, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const roles = options.roles ?? [];
  return new jose.SignJWT({ tid: LOCAL_TENANT_ID, ...(roles.length > 0 ? { roles: [...roles] } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: key.kid })
    .setIssuer(LOCAL_ISSUER)
    .setSubject(options.subject ?? DEFAULT_LOCAL_SUBJECT)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + lifetime)
    .setJti(randomUUID())
    .sign(privateKey);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
