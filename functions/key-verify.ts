import { parseBody } from '../shared/api/parse-body';
import { requireObjectName } from '../shared/api/object-name';
import { keyVerifySchema } from '../shared/api/schemas/key-operation.schema';
import { verifyResultToWire } from '../shared/api/wire/key-operation-result.wire';
import { verifyWithKey } from '../shared/services/key-operations';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** POST /keys/{name}/{version}/verify: whether the signature is valid for the caller's digest. */
const keyVerify: RouteHandler = async ({ app, request, readBody }) => {
  const name = requireObjectName(request.params.name);
  const { alg, digest, value } = parseBody(keyVerifySchema, await readBody());
  const valid = await verifyWithKey(app.services, name, request.params.version ?? '', alg, digest, value);
  return json(200, verifyResultToWire(valid));
};

registerKeyVaultRoute('keyVerify', {
  route: 'keys/{name}/{version}/verify',
  methods: ['POST'],
  permission: 'keys/verify',
  handler: keyVerify,
});
