import { requireObjectName } from '../shared/api/object-name';
import { certificateLifetimeToWire } from '../shared/api/wire/certificate-lifetime.wire';
import { getCertificateLifetime } from '../shared/services/certificate-lifetime';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET /certificates/{name}/lifetime (ours, docs/lifetime.md): the next lifetime action, when it is due, and the
 * last automatic renewal's outcome. A route of its own rather than extra members on Key Vault's bodies, so no
 * SDK ever meets a member it does not know. Read with the permission of reading the certificate; registered
 * apart from `certificates/{name}/{version?}` (a literal beats a parameter), so it is never read as a version.
 */
const certificateLifetime: RouteHandler = async ({ app, request, vault }) => {
  const lifetime = await getCertificateLifetime(app.services, requireObjectName(request.params.name));
  return json(200, certificateLifetimeToWire(vault, lifetime));
};

registerKeyVaultRoute('certificateLifetime', {
  route: 'certificates/{name}/lifetime',
  methods: ['GET'],
  permission: 'certificates/get',
  handler: certificateLifetime,
});
