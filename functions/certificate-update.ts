import { requireObjectName } from '../shared/api/object-name';
import { parseBody } from '../shared/api/parse-body';
import { updateCertificateSchema } from '../shared/api/schemas/request-bodies.schema';
import { pendingVersionToWire, versionToWire } from '../shared/api/wire/certificate-bundle.wire';
import type { PropertyChanges } from '../shared/domain/certificate-properties';
import { updateCertificateProperties } from '../shared/services/certificate-properties';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';
import { refuseOtherRoutesPath } from './http/shadowed-path';

const ROUTE = 'certificates/{name}/{version?}';

/**
 * PATCH /certificates/{name}/{version} and /certificates/{name}/ (the SDK's empty version: the latest):
 * `enabled` and tags change; `nbf`/`exp` are read and ignored, as Key Vault ignores them (a version's
 * validity is its certificate's). Answers the version as GET does: the latest with the policy.
 */
const certificateUpdate: RouteHandler = async ({ app, request, readBody, vault, recovery }) => {
  refuseOtherRoutesPath(request.method, new URL(request.url).pathname, ROUTE);
  const name = requireObjectName(request.params.name);
  const body = parseBody(updateCertificateSchema, await readBody());
  const changes: PropertyChanges = {
    ...(typeof body.attributes?.enabled === 'boolean' ? { enabled: body.attributes.enabled } : {}),
    ...(body.tags ? { tags: body.tags } : {}),
  };
  const view = await updateCertificateProperties(app.services, name, request.params.version || undefined, changes);
  if (view.kind === 'pending') return json(200, pendingVersionToWire(vault, recovery, view.operation));
  return json(200, versionToWire(vault, recovery, view.version, { ...(view.policy ? { policy: view.policy } : {}), pendingVisible: view.pendingVisible }));
};

registerKeyVaultRoute('certificateUpdate', {
  route: ROUTE,
  methods: ['PATCH'],
  permission: 'certificates/update',
  handler: certificateUpdate,
});
