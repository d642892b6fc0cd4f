import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getApp } from '../shared/composition';
import { log } from './logging/log';

/** ACME tokens are base64url (RFC 8555 §8.3); anything else is not one of ours and is not looked up. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * GET /.well-known/acme-challenge/{token}: the ACME HTTP-01 answer (RFC 8555 §8.3), the key authorization the
 * ACME issuer stored for a token it is being validated with. The one anonymous route: the CA's validator
 * fetches it over plain HTTP without credentials, and what it returns is public by design (the token and the
 * account key's thumbprint). Registered with app.http directly, since registerKeyVaultRoute authenticates.
 */
export async function acmeHttp01Challenge(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const token = request.params.token ?? '';
  let status = 404;
  let body = '';
  try {
    const answer = TOKEN.test(token) ? await (await getApp()).acmeHttp01.get(token) : undefined;
    if (answer !== undefined) [status, body] = [200, answer];
  } catch (error) {
    status = 503;
    context.error('Reading an ACME HTTP-01 answer failed', error);
  }
  log(context, status >= 500 ? 'error' : 'info', `GET /.well-known/acme-challenge/${TOKEN.test(token) ? token : '…'} ${status}`);
  return { status, body, headers: { 'content-type': 'application/octet-stream' } };
}

app.http('acmeHttp01Challenge', {
  route: '.well-known/acme-challenge/{token}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: acmeHttp01Challenge,
});
