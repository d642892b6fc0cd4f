import { requireObjectName } from '../shared/api/object-name';
import { certificateViewToWire } from '../shared/api/wire/certificate-bundle.wire';
import { getCertificateVersion, getLatestCertificate } from '../shared/services/certificate-reads';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET /certificates/{name}/ (latest; the SDK sends the trailing slash) and /certificates/{name}/{version}.
 * A version still being requested is served disabled, without cer, as Key Vault does.
 */
const certificateGet: RouteHandler = async ({ app, request, vault, recovery }) => {
  const name = requireObjectName(request.params.name);
  const version = request.params.version;
  const view = version ? await getCertificateVersion(app.services, name, version) : await getLatestCertificate(app.services, name);
  return json(200, certificateViewToWire(vault, recovery, view));
};

registerKeyVaultRoute('certificateGet', {
  route: 'certificates/{name}/{version?}',
  methods: ['GET'],
  permission: 'certificates/get',
  handler: certificateGet,
});
