import { requireObjectName } from '../shared/api/object-name';
import { issuerToWire } from '../shared/api/wire/issuer.wire';
import { getIssuer } from '../shared/services/issuer-objects';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** GET /certificates/issuers/{issuer} → the issuer object, or 404 CertificateIssuerNotFound. */
const issuerGet: RouteHandler = async ({ app, request, vault }) => {
  const name = requireObjectName(request.params.issuer);
  return json(200, issuerToWire(vault, await getIssuer(app.services, name)));
};

registerKeyVaultRoute('issuerGet', {
  route: 'certificates/issuers/{issuer}',
  methods: ['GET'],
  permission: 'certificates/getissuers',
  handler: issuerGet,
});
