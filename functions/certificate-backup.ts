import { requireObjectName } from '../shared/api/object-name';
import { backupCertificate } from '../shared/services/backup-certificate';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** POST /certificates/{name}/backup (no body; the SDKs send Content-Length: 0) → 200 {"value":"<base64url blob>"}. */
const certificateBackup: RouteHandler = async ({ app, request }) => {
  const value = await backupCertificate(app.services, requireObjectName(request.params.name));
  return json(200, { value });
};

registerKeyVaultRoute('certificateBackup', {
  route: 'certificates/{name}/backup',
  methods: ['POST'],
  permission: 'certificates/backup',
  handler: certificateBackup,
});
