import { requireObjectName } from '../shared/api/object-name';
import { parseBody } from '../shared/api/parse-body';
import { createCertificateSchema } from '../shared/api/schemas/request-bodies.schema';
import { operationToWire } from '../shared/api/wire/certificate-operation.wire';
import { createCertificate } from '../shared/services/create-certificate';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** POST /certificates/{name}/create → 202 with the pending operation and its Location. */
const certificateCreate: RouteHandler = async ({ app, request, readBody, vault, apiVersion }) => {
  const name = requireObjectName(request.params.name);
  const body = parseBody(createCertificateSchema, await readBody());
  const op = await createCertificate(app.services, name, body);
  const location = `${vault}/certificates/${name}/pending?api-version=${apiVersion}&request_id=${op.requestId}`;
  return json(202, operationToWire(vault, op), { Location: location, 'Retry-After': '10' });
};

registerKeyVaultRoute('certificateCreate', {
  route: 'certificates/{name}/create',
  methods: ['POST'],
  permission: 'certificates/create',
  handler: certificateCreate,
});
