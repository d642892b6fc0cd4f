import { requireObjectName } from '../shared/api/object-name';
import { parseBody } from '../shared/api/parse-body';
import { updatePendingSchema } from '../shared/api/schemas/request-bodies.schema';
import { operationToWire } from '../shared/api/wire/certificate-operation.wire';
import { requestCancellation } from '../shared/services/pending-operations';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** PATCH /certificates/{name}/pending {"cancellation_requested":true} → the operation, cancellation recorded. */
const pendingCancel: RouteHandler = async ({ app, request, readBody, vault }) => {
  const name = requireObjectName(request.params.name);
  parseBody(updatePendingSchema, await readBody());
  const op = await requestCancellation(app.services, name, request.query.get('request_id'));
  return json(200, operationToWire(vault, op));
};

registerKeyVaultRoute('pendingCancel', {
  route: 'certificates/{name}/pending',
  methods: ['PATCH'],
  permission: 'certificates/update',
  handler: pendingCancel,
});
