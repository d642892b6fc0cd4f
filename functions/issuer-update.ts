import { requireObjectName } from '../shared/api/object-name';
import { parseBody } from '../shared/api/parse-body';
import { updateIssuerSchema } from '../shared/api/schemas/request-bodies.schema';
import { issuerToWire } from '../shared/api/wire/issuer.wire';
import { updateIssuer } from '../shared/services/issuer-objects';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** PATCH /certificates/issuers/{issuer} → the issuer with the given members changed, or 404 CertificateIssuerNotFound. */
const issuerUpdate: RouteHandler = async ({ app, request, readBody, vault }) => {
  const name = requireObjectName(request.params.issuer);
  const body = parseBody(updateIssuerSchema, await readBody());
  return json(200, issuerToWire(vault, await updateIssuer(app.services, name, body)));
};

registerKeyVaultRoute('issuerUpdate', {
  route: 'certificates/issuers/{issuer}',
  methods: ['PATCH'],
  permission: 'certificates/setissuers',
  handler: issuerUpdate,
});
