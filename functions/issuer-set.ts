import { requireObjectName } from '../shared/api/object-name';
import { parseBody } from '../shared/api/parse-body';
import { setIssuerSchema } from '../shared/api/schemas/request-bodies.schema';
import { issuerToWire } from '../shared/api/wire/issuer.wire';
import { setIssuer } from '../shared/services/issuer-objects';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** PUT /certificates/issuers/{issuer} → the issuer object (its password is never shown back). */
const issuerSet: RouteHandler = async ({ app, request, readBody, vault }) => {
  const name = requireObjectName(request.params.issuer);
  const body = parseBody(setIssuerSchema, await readBody());
  return json(200, issuerToWire(vault, await setIssuer(app.services, name, body)));
};

registerKeyVaultRoute('issuerSet', {
  route: 'certificates/issuers/{issuer}',
  methods: ['PUT'],
  permission: 'certificates/setissuers',
  handler: issuerSet,
});
