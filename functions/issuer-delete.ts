import { requireObjectName } from '../shared/api/object-name';
import { issuerToWire } from '../shared/api/wire/issuer.wire';
import { deleteIssuer } from '../shared/services/issuer-objects';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** DELETE /certificates/issuers/{issuer} → the issuer as it was before it was removed, or 404 CertificateIssuerNotFound. */
const issuerDelete: RouteHandler = async ({ app, request, vault }) => {
  const name = requireObjectName(request.params.issuer);
  return json(200, issuerToWire(vault, await deleteIssuer(app.services, name)));
};

registerKeyVaultRoute('issuerDelete', {
  route: 'certificates/issuers/{issuer}',
  methods: ['DELETE'],
  permission: 'certificates/deleteissuers',
  handler: issuerDelete,
});
