import { app } from '@azure/functions';
import { requireObjectName } from '../shared/api/object-name';
import { issuerToWire } from '../shared/api/wire/issuer.wire';
import { getIssuer } from '../shared/services/issuer-objects';
import { json, keyVaultRoute } from './http/key-vault-route';

/** GET /certificates/issuers/{issuer} → the issuer object, or 404 CertificateIssuerNotFound. */
export const issuerGet = keyVaultRoute(async ({ app, request, vault }) => {
  const name = requireObjectName(request.params.issuer);
  return json(200, issuerToWire(vault, await getIssuer(app.services, name)));
});

app.http('issuerGet', {
  route: 'certificates/issuers/{issuer}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: issuerGet,
});
