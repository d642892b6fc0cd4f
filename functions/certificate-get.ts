import { app } from '@azure/functions';
import { requireObjectName } from '../shared/api/object-name';
import { pendingVersionToWire, versionToWire } from '../shared/api/wire/certificate-bundle.wire';
import { getCertificateVersion, getLatestCertificate } from '../shared/services/certificate-reads';
import { json, keyVaultRoute } from './http/key-vault-route';

/**
 * GET /certificates/{name}/ (latest; the SDK sends the trailing slash) and /certificates/{name}/{version}.
 * A version still being requested is served disabled, without cer, as Key Vault does.
 */
export const certificateGet = keyVaultRoute(async ({ app, request, vault }) => {
  const name = requireObjectName(request.params.name);
  const version = request.params.version;
  const view = version ? await getCertificateVersion(app.services, name, version) : await getLatestCertificate(app.services, name);
  if (view.kind === 'pending') return json(200, pendingVersionToWire(vault, view.operation));
  return json(200, versionToWire(vault, view.version, { ...(view.policy ? { policy: view.policy } : {}), pendingVisible: view.pendingVisible }));
});

app.http('certificateGet', {
  route: 'certificates/{name}/{version?}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: certificateGet,
});
