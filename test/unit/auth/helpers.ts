import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJose, type Jose } from '../../../shared/auth/jose';

/** The SDK's challenge parser (@azure/keyvault-common parseWWWAuthenticateHeader + the scope rule), re-implemented. */
export function parseChallengeLikeTheSdk(header: string): { tenantId?: string; scope?: string; parsed: Record<string, string> } {
  const valid = ['authorization', 'authorization_url', 'resource', 'scope', 'tenantId', 'claims', 'error'];
  const parsed = header.split(/,? +/).reduce<Record<string, string>>((pairs, part) => {
    if (/\w="/.test(part)) {
      const [key, ...value] = part.split('=');
      if (key !== undefined && valid.includes(key)) return { ...pairs, [key]: value.join('=').slice(1, -1) };
    }
    return pairs;
  }, {});
  const tenantId = parsed.authorization ? new URL(parsed.authorization).pathname.substring(1) || undefined : parsed.tenantId;
  const scope = parsed.resource ? `${parsed.resource}/.default` : parsed.scope;
  return { parsed, ...(tenantId ? { tenantId } : {}), ...(scope ? { scope } : {}) };
}

/** `Headers`-like lookup over a plain object, case-insensitive, as the Functions runtime provides. */
export function headersOf(values: Record<string, string> = {}): { get(name: string): string | null } {
  const lower = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (name) => lower.get(name.toLowerCase()) ?? null };
}

export async function temporaryDirectory(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'auth-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** Minimal Entra look-alike on 127.0.0.1: v2.0 OpenID metadata and a JWKS, counting requests. */
export class FakeOidcIssuer {
  metadataRequests = 0;
  jwksRequests = 0;
  /** While set, the metadata endpoint answers this status instead of the document. */
  metadataStatus: number | undefined;
  private server: Server | undefined;
  private signingKey: { kid: string; privateKey: CryptoKey; publicJwk: Record<string, unknown> } | undefined;

  private constructor(private readonly jose: Jose) {}

  static async start(): Promise<FakeOidcIssuer> {
    const issuer = new FakeOidcIssuer(await loadJose());
    issuer.signingKey = await issuer.newKey('key-1');
    issuer.server = createServer((req, res) => issuer.handle(req, res));
    await new Promise<void>((resolve) => issuer.server?.listen(0, '127.0.0.1', resolve));
    return issuer;
  }

  get authorityHost(): string {
    const { port } = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get v2Issuer(): string {
    return `${this.authorityHost}/${TENANT_ID}/v2.0`;
  }

  get v1Issuer(): string {
    return `https://sts.windows.net/${TENANT_ID}/`;
  }

  async newKey(kid: string): Promise<{ kid: string; privateKey: CryptoKey; publicJwk: Record<string, unknown> }> {
    const { privateKey, publicKey } = await this.jose.generateKeyPair('RS256', { extractable: true });
    return { kid, privateKey, publicJwk: { ...(await this.jose.exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  }

  /** A token as Entra would issue it; `claims`/`key` override the defaults. */
  async token(
    claims: Record<string, unknown> = {},
    key: { kid: string; privateKey: CryptoKey } | undefined = this.signingKey,
    lifetimeSeconds = 3600,
  ): Promise<string> {
    if (!key) throw new Error('not started');
    const now = Math.floor(Date.now() / 1000);
    return new this.jose.SignJWT({
      aud: 'https://vault.azure.net',
      iss: this.v1Issuer,
      sub: 'pairwise-subject',
      oid: '3975aeed-7d08-453b-b6f4-445f32698091',
      tid: TENANT_ID,
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
      ver: '1.0',
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .sign(key.privateKey);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === `/${TENANT_ID}/v2.0/.well-known/openid-configuration`) {
      this.metadataRequests += 1;
      if (this.metadataStatus !== undefined) return send(this.metadataStatus, { error: 'temporarily_unavailable' });
      return send(200, {
        issuer: this.v2Issuer,
        jwks_uri: `${this.authorityHost}/${TENANT_ID}/discovery/v2.0/keys`,
        token_endpoint: `${this.authorityHost}/${TENANT_ID}/oauth2/v2.0/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (req.url === `/${TENANT_ID}/discovery/v2.0/keys`) {
      this.jwksRequests += 1;
      return send(200, { keys: this.signingKey ? [this.signingKey.publicJwk] : [] });
    }
    return send(404, { error: 'not_found' });
  }
}
