import { requireObjectName } from '../shared/api/object-name';
import { deletedCertificateToWire } from '../shared/api/wire/certificate-bundle.wire';
import { getDeletedCertificate } from '../shared/services/deleted-certificates';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** GET /deletedcertificates/{name}: the delete poller's check, and getDeletedCertificate. */
const deletedCertificateGet: RouteHandler = async ({ app, request, vault, recovery }) => {
  const deleted = await getDeletedCertificate(app.services, requireObjectName(request.params.name));
  return json(200, deletedCertificateToWire(vault, recovery, deleted));
};

registerKeyVaultRoute('deletedCertificateGet', {
  route: 'deletedcertificates/{name}',
  methods: ['GET'],
  // Key Vault's REST reference: "This operation requires the certificates/get permission."
  permission: 'certificates/get',
  handler: deletedCertificateGet,
});
