import { requireObjectName } from '../shared/api/object-name';
import { certificateViewToWire } from '../shared/api/wire/certificate-bundle.wire';
import { recoverDeletedCertificate } from '../shared/services/deleted-certificates';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** POST /deletedcertificates/{name}/recover (empty body): the certificate is live again, answered as GET shows it. */
const deletedCertificateRecover: RouteHandler = async ({ app, request, vault, recovery }) => {
  const view = await recoverDeletedCertificate(app.services, requireObjectName(request.params.name));
  return json(200, certificateViewToWire(vault, recovery, view));
};

registerKeyVaultRoute('deletedCertificateRecover', {
  route: 'deletedcertificates/{name}/recover',
  methods: ['POST'],
  permission: 'certificates/recover',
  handler: deletedCertificateRecover,
});
