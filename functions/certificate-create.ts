import { requireObjectName } from '../shared/api/object-name';
import { parseBody } from '../shared/api/parse-body';
import { createCertificateSchema } from '../shared/api/schemas/request-bodies.schema';
import { operationToWire } from '../shared/api/wire/certificate-operation.wire';
import { SELF_ISSUER } from '../shared/domain/certificate-policy';
import { createCertificate } from '../shared/services/create-certificate';
import { runIssuerJob } from '../shared/services/issuer-job';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/** POST /certificates/{name}/create → 202 with the pending operation and its Location. */
const certificateCreate: RouteHandler = async ({ app, request, context, vault, apiVersion }) => {
  const name = requireObjectName(request.params.name);
  const body = parseBody(createCertificateSchema, await request.text());
  const op = await createCertificate(app.services, name, body);
  if (op.policy.issuer.name === SELF_ISSUER) {
    // Self needs no outside party, so it is issued now and the SDK's first poll already sees it completed.
    // The queued job stays the durable path: it finds the operation completed and drops itself, or
    // finishes the work if this attempt did not.
    await runIssuerJob(app.services, { name, requestId: op.requestId }).catch((error: unknown) =>
      context.warn(`Self issuance of ${name} left to the queued job: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  const location = `${vault}/certificates/${name}/pending?api-version=${apiVersion}&request_id=${op.requestId}`;
  return json(202, operationToWire(vault, op), { Location: location, 'Retry-After': '10' });
};

registerKeyVaultRoute('certificateCreate', {
  route: 'certificates/{name}/create',
  methods: ['POST'],
  permission: 'certificates/create',
  handler: certificateCreate,
});
