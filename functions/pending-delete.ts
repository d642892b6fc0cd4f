import { requireObjectName } from '../shared/api/object-name';
import { operationToWire } from '../shared/api/wire/certificate-operation.wire';
import { deletePendingOperation } from '../shared/services/pending-operations';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** DELETE /certificates/{name}/pending → the operation as it was; /pending answers 404 afterwards. */
const pendingDelete: RouteHandler = async ({ app, request, vault }) => {
  const name = requireObjectName(request.params.name);
  const op = await deletePendingOperation(app.services, name, request.query.get('request_id'));
  return json(200, operationToWire(vault, op));
};

registerKeyVaultRoute('pendingDelete', {
  route: 'certificates/{name}/pending',
  methods: ['DELETE'],
  permission: 'certificates/delete',
  handler: pendingDelete,
});
