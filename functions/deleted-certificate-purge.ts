import { requireObjectName } from '../shared/api/object-name';
import { purgeDeletedCertificate } from '../shared/services/purge-certificates';
import { type RouteHandler } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** DELETE /deletedcertificates/{name}: purges at once; 204 with no body, as Key Vault answers. */
const deletedCertificatePurge: RouteHandler = async ({ app, request }) => {
  await purgeDeletedCertificate(app.services, requireObjectName(request.params.name));
  return { status: 204, headers: { 'x-ms-keyvault-service-version': '1.0' } };
};

registerKeyVaultRoute('deletedCertificatePurge', {
  route: 'deletedcertificates/{name}',
  methods: ['DELETE'],
  permission: 'certificates/purge',
  handler: deletedCertificatePurge,
});
