import { parseBody } from '../shared/api/parse-body';
import { requireObjectName } from '../shared/api/object-name';
import { keyOperationSchema } from '../shared/api/schemas/key-operation.schema';
import { keyOperationResultToWire } from '../shared/api/wire/key-operation-result.wire';
import { decryptWithKey } from '../shared/services/key-operations';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** POST /keys/{name}/{version}/unwrapKey: unwraps a key with the RSA key (RSA-OAEP, RSA-OAEP-256). */
const keyUnwrap: RouteHandler = async ({ app, request, readBody, vault }) => {
  const name = requireObjectName(request.params.name);
  const { alg, value } = parseBody(keyOperationSchema, await readBody());
  const result = await decryptWithKey(app.services, 'unwrapKey', name, request.params.version ?? '', alg, value);
  return json(200, keyOperationResultToWire(vault, result));
};

registerKeyVaultRoute('keyUnwrap', {
  route: 'keys/{name}/{version}/unwrapKey',
  methods: ['POST'],
  permission: 'keys/unwrapKey',
  handler: keyUnwrap,
});
