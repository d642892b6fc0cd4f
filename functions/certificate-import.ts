import { requireObjectName } from '../shared/api/object-name';
import { parseBody } from '../shared/api/parse-body';
import { importCertificateSchema } from '../shared/api/schemas/request-bodies.schema';
import { versionToWire } from '../shared/api/wire/certificate-bundle.wire';
import { importCertificate } from '../shared/services/import-certificate';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** POST /certificates/{name}/import {"value":"<base64 PFX | PEM>","pwd":…} → 200 with the new certificate version. */
const certificateImport: RouteHandler = async ({ app, request, readBody, vault, recovery }) => {
  const name = requireObjectName(request.params.name);
  const body = parseBody(importCertificateSchema, await readBody());
  const version = await importCertificate(app.services, name, body);
  return json(200, versionToWire(vault, recovery, version, { policy: version.policy }));
};

registerKeyVaultRoute('certificateImport', {
  route: 'certificates/{name}/import',
  methods: ['POST'],
  permission: 'certificates/import',
  handler: certificateImport,
});
