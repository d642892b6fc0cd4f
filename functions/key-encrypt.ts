import { parseBody } from '../shared/api/parse-body';
import { requireObjectName } from '../shared/api/object-name';
import { keyOperationSchema } from '../shared/api/schemas/key-operation.schema';
import { keyOperationResultToWire } from '../shared/api/wire/key-operation-result.wire';
import { encryptWithKey } from '../shared/services/key-operations';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** POST /keys/{name}/{version}/encrypt: encrypts with the RSA key's public part (RSA-OAEP, RSA-OAEP-256, RSA1_5). */
const keyEncrypt: RouteHandler = async ({ app, request, readBody, vault }) => {
  const name = requireObjectName(request.params.name);
  const { alg, value } = parseBody(keyOperationSchema, await readBody());
  const result = await encryptWithKey(app.services, 'encrypt', name, request.params.version ?? '', alg, value);
  return json(200, keyOperationResultToWire(vault, result));
};

registerKeyVaultRoute('keyEncrypt', {
  route: 'keys/{name}/{version}/encrypt',
  methods: ['POST'],
  permission: 'keys/encrypt',
  handler: keyEncrypt,
});
