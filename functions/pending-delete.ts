import { app } from '@azure/functions';
import { requireObjectName } from '../shared/api/object-name';
import { operationToWire } from '../shared/api/wire/certificate-operation.wire';
import { deletePendingOperation } from '../shared/services/pending-operations';
import { json, keyVaultRoute } from './http/key-vault-route';

/** DELETE /certificates/{name}/pending → the operation as it was; /pending answers 404 afterwards. */
export const pendingDelete = keyVaultRoute(async ({ app, request, vault }) => {
  const name = requireObjectName(request.params.name);
  const op = await deletePendingOperation(app.services, name, request.query.get('request_id'));
  return json(200, operationToWire(vault, op));
});

app.http('pendingDelete', {
  route: 'certificates/{name}/pending',
  methods: ['DELETE'],
  authLevel: 'anonymous',
  handler: pendingDelete,
});
