import { errors } from '../shared/api/errors';
import { requireObjectName } from '../shared/api/object-name';
import { secretToWire } from '../shared/api/wire/secret-bundle.wire';
import { SECRET_CONTENT_TYPES, type SecretContentType } from '../shared/domain/certificate-policy';
import { getCertificateSecret } from '../shared/services/certificate-secret';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

function outContentTypeOf(query: URLSearchParams): SecretContentType | undefined {
  const requested = query.get('outContentType');
  if (requested === null || requested === '') return undefined;
  if (!SECRET_CONTENT_TYPES.includes(requested as SecretContentType)) {
    throw errors.badParameter(`outContentType must be application/x-pkcs12 or application/x-pem-file, not "${requested}".`);
  }
  return requested as SecretContentType;
}

/** GET /secrets/{name}/{version?}: the certificate's managed secret, PFX (empty password) or PEM. */
const secretGet: RouteHandler = async ({ app, request, vault, recovery }) => {
  const name = requireObjectName(request.params.name);
  const secret = await getCertificateSecret(app.services, name, request.params.version || undefined, outContentTypeOf(request.query));
  return json(200, secretToWire(vault, recovery, secret.version, secret.value, secret.contentType));
};

registerKeyVaultRoute('secretGet', {
  route: 'secrets/{name}/{version?}',
  methods: ['GET'],
  permission: 'secrets/get',
  handler: secretGet,
});
