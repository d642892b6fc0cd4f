import { requireObjectName } from '../shared/api/object-name';
import { parseBody } from '../shared/api/parse-body';
import { mergeCertificateSchema } from '../shared/api/schemas/request-bodies.schema';
import { versionToWire } from '../shared/api/wire/certificate-bundle.wire';
import { certificateId } from '../shared/api/wire/identifiers';
import { mergeCertificate } from '../shared/services/merge-certificate';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** POST /certificates/{name}/pending/merge {"x5c":[…]} → 201 with the new certificate version. */
const pendingMerge: RouteHandler = async ({ app, request, readBody, vault, recovery, apiVersion }) => {
  const name = requireObjectName(request.params.name);
  const body = parseBody(mergeCertificateSchema, await readBody());
  const version = await mergeCertificate(app.services, name, body);
  return json(201, versionToWire(vault, recovery, version, { policy: version.policy, pendingVisible: true }), {
    Location: `${certificateId(vault, name)}?api-version=${apiVersion}`,
  });
};

registerKeyVaultRoute('pendingMerge', {
  route: 'certificates/{name}/pending/merge',
  methods: ['POST'],
  permission: 'certificates/create',
  handler: pendingMerge,
});
