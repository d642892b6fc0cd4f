import { requireObjectName } from '../shared/api/object-name';
import { keyToWire } from '../shared/api/wire/key-bundle.wire';
import { getManagedKey } from '../shared/services/key-operations';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** GET /keys/{name}/{version?}: the certificate's managed key, public part only. */
const keyGet: RouteHandler = async ({ app, request, vault, recovery }) => {
  const name = requireObjectName(request.params.name);
  const key = await getManagedKey(app.services, name, request.params.version || undefined);
  return json(200, keyToWire(vault, recovery, key));
};

registerKeyVaultRoute('keyGet', {
  route: 'keys/{name}/{version?}',
  methods: ['GET'],
  permission: 'keys/get',
  handler: keyGet,
});
