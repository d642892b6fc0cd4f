import { parseBody } from '../shared/api/parse-body';
import { RESTORE_BODY_MAX_BYTES, restoreCertificateSchema } from '../shared/api/schemas/request-bodies.schema';
import { versionToWire } from '../shared/api/wire/certificate-bundle.wire';
import { restoreCertificateBackup } from '../shared/services/restore-certificate';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * POST /certificates/restore {"value":"<base64url blob>"} → 200 with the restored certificate's latest
 * version and policy. The literal `restore` segment outranks `certificates/{name}/{version?}` (GET only anyway).
 */
const certificateRestore: RouteHandler = async ({ app, readBody, vault, recovery }) => {
  const body = parseBody(restoreCertificateSchema, await readBody());
  const restored = await restoreCertificateBackup(app.services, body.value, vault);
  return json(200, versionToWire(vault, recovery, restored.latest, { policy: restored.policy }));
};

registerKeyVaultRoute('certificateRestore', {
  route: 'certificates/restore',
  methods: ['POST'],
  permission: 'certificates/restore',
  // A backup blob may hold up to 500 versions: far more than the 1 MiB every other body is allowed.
  maxBodyBytes: RESTORE_BODY_MAX_BYTES,
  handler: certificateRestore,
});
