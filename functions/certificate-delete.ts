import { requireObjectName } from '../shared/api/object-name';
import { deletedCertificateToWire } from '../shared/api/wire/certificate-bundle.wire';
import { deleteCertificate } from '../shared/services/delete-certificate';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * DELETE /certificates/{name} (no trailing slash; `certificates/{name}/` is the latest version): soft delete,
 * answered with the DeletedCertificateBundle. Its `recoveryId` tells the SDK's delete poller to wait for
 * GET /deletedcertificates/{name}, which already answers.
 */
const certificateDelete: RouteHandler = async ({ app, request, vault, recovery }) => {
  const deleted = await deleteCertificate(app.services, requireObjectName(request.params.name));
  return json(200, deletedCertificateToWire(vault, recovery, deleted));
};

registerKeyVaultRoute('certificateDelete', {
  route: 'certificates/{name}',
  methods: ['DELETE'],
  permission: 'certificates/delete',
  handler: certificateDelete,
});
