import { requireObjectName } from '../shared/api/object-name';
import { operationToWire } from '../shared/api/wire/certificate-operation.wire';
import { getPendingOperation } from '../shared/services/pending-operations';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** GET /certificates/{name}/pending[?request_id=…] → the pending operation. */
const pendingGet: RouteHandler = async ({ app, request, vault }) => {
  const name = requireObjectName(request.params.name);
  const op = await getPendingOperation(app.services, name, request.query.get('request_id'));
  return json(200, operationToWire(vault, op), op.status === 'inProgress' ? { 'Retry-After': '10' } : {});
};

registerKeyVaultRoute('pendingGet', {
  route: 'certificates/{name}/pending',
  methods: ['GET'],
  permission: 'certificates/get',
  handler: pendingGet,
});
