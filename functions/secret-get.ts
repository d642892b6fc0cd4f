import { app } from '@azure/functions';
import { errors } from '../shared/api/errors';
import { requireObjectName } from '../shared/api/object-name';
import { secretToWire } from '../shared/api/wire/secret-bundle.wire';
import { SECRET_CONTENT_TYPES, type SecretContentType } from '../shared/domain/certificate-policy';
import { getCertificateSecret } from '../shared/services/certificate-secret';
import { json, keyVaultRoute } from './http/key-vault-route';

function outContentTypeOf(query: URLSearchParams): SecretContentType | undefined {
  const requested = query.get('outContentType');
  if (requested === null || requested === '') return undefined;
  if (!SECRET_CONTENT_TYPES.includes(requested as SecretContentType)) {
    throw errors.badParameter(`outContentType must be application/x-pkcs12 or application/x-pem-file, not "${requested}".`);
  }
  return requested as SecretContentType;
}

/** GET /secrets/{name}/{version?}: the certificate's managed secret, PFX (empty password) or PEM. */
export const secretGet = keyVaultRoute(async ({ app, request, vault }) => {
  const name = requireObjectName(request.params.name);
  const secret = await getCertificateSecret(app.services, name, request.params.version || undefined, outContentTypeOf(request.query));
  return json(200, secretToWire(vault, secret.version, secret.value, secret.contentType));
});

app.http('secretGet', {
  route: 'secrets/{name}/{version?}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: secretGet,
});
