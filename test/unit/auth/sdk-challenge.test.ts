import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { CertificateClient } from '@azure/keyvault-certificates';
import { join } from 'node:path';
import { authenticate } from '../../../shared/auth/authenticate';
import { ensureLocalSigningKey, issueLocalToken } from '../../../shared/auth/local-signing-key';
import { createTokenVerifier } from '../../../shared/auth/token-verifier';
import type { AuthConfig } from '../../../shared/config';
import { temporaryDirectory } from './helpers';

/**
 * The real SDK client against `authenticate`, through a transport that answers like a route would: the
 * client's first request (no token, no body) gets the challenge, and the retry carries a token the
 * credential minted for the scope and tenant the SDK read from it.
 */
describe('the Key Vault SDK against authenticate (local mode)', () => {
  let dir: { path: string; remove(): Promise<void> };
  afterEach(() => dir.remove());

  it('completes the challenge handshake and is let through', async () => {
    dir = await temporaryDirectory();
    const keyFile = join(dir.path, 'key.json');
    await ensureLocalSigningKey(keyFile);
    const auth: AuthConfig = { mode: 'local', keyFile, audience: 'https://vault.azure.net' };
    const verifier = createTokenVerifier(auth);

    const tokenRequests: { scopes: string | string[]; tenantId?: string }[] = [];
    const credential: TokenCredential = {
      async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
        tokenRequests.push({ scopes, ...(options?.tenantId ? { tenantId: options.tenantId } : {}) });
        return { token: await issueLocalToken(keyFile, { audience: auth.audience }), expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };

    const seen: { authorized: boolean; hadBody: boolean; status: number }[] = [];
    const httpClient: HttpClient = {
      async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
        const result = await authenticate(request.headers, verifier, auth);
        const reply = (status: number, headers: Record<string, string>, body: unknown): PipelineResponse => {
          seen.push({ authorized: request.headers.has('authorization'), hadBody: request.body !== null && request.body !== undefined, status });
          return { request, status, headers: createHttpHeaders({ 'content-type': 'application/json', ...headers }), bodyAsText: JSON.stringify(body) };
        };
        if (!result.ok) return reply(result.status, result.headers, result.body);
        return reply(404, {}, { error: { code: 'CertificateNotFound', message: `seen as ${result.caller.subject}` } });
      },
    };

    const client = new CertificateClient('https://localhost:7071', credential, { httpClient, disableChallengeResourceVerification: true });
    await expect(client.getCertificate('web')).rejects.toMatchObject({ statusCode: 404, message: 'seen as local-user' });

    expect(tokenRequests).toEqual([{ scopes: ['https://vault.azure.net/.default'], tenantId: 'local' }]);
    expect(seen).toEqual([
      { authorized: false, hadBody: false, status: 401 },
      { authorized: true, hadBody: false, status: 404 },
    ]);
  });
});
