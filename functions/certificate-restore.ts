import { parseBody } from '../shared/api/parse-body';
import { restoreCertificateSchema } from '../shared/api/schemas/request-bodies.schema';
import { versionToWire } from '../shared/api/wire/certificate-bundle.wire';
import { restoreCertificateBackup } from '../shared/services/restore-certificate';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * POST /certificates/restore {"value":"<base64url blob>"} → 200 with the restored certificate's latest
 * version and policy. The literal `restore` segment outranks `certificates/{name}/{version?}` (GET only anyway).
 */
const certificateRestore: RouteHandler = async ({ app, request, vault, recovery }) => {
  const body = parseBody(restoreCertificateSchema, await request.text());
  const restored = await restoreCertificateBackup(app.services, body.value, vault);
  return json(200, versionToWire(vault, recovery, restored.latest, { policy: restored.policy }));
};

registerKeyVaultRoute('certificateRestore', {
  route: 'certificates/restore',
  methods: ['POST'],
  permission: 'certificates/restore',
  handler: certificateRestore,
});
