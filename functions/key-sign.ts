import { parseBody } from '../shared/api/parse-body';
import { requireObjectName } from '../shared/api/object-name';
import { keyOperationSchema } from '../shared/api/schemas/key-operation.schema';
import { keyOperationResultToWire } from '../shared/api/wire/key-operation-result.wire';
import { signWithKey } from '../shared/services/key-operations';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** POST /keys/{name}/{version}/sign: signs the caller's digest (RS256-512 and PS256-512 for RSA, ES256-512 and ES256K for EC). */
const keySign: RouteHandler = async ({ app, request, readBody, vault }) => {
  const name = requireObjectName(request.params.name);
  const { alg, value } = parseBody(keyOperationSchema, await readBody());
  const result = await signWithKey(app.services, name, request.params.version ?? '', alg, value);
  return json(200, keyOperationResultToWire(vault, result));
};

registerKeyVaultRoute('keySign', {
  route: 'keys/{name}/{version}/sign',
  methods: ['POST'],
  permission: 'keys/sign',
  handler: keySign,
});
