import { requireObjectName } from '../shared/api/object-name';
import { parseBody } from '../shared/api/parse-body';
import { certificatePolicySchema } from '../shared/api/schemas/certificate-policy.schema';
import { policyToWire } from '../shared/api/wire/policy.wire';
import { getCertificatePolicy, updateCertificatePolicy } from '../shared/services/certificate-policy';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET and PATCH /certificates/{name}/policy: the certificate's current policy, and a merge of the members
 * given into it. Registered apart from `certificates/{name}/{version?}`, so the path is never read as a
 * version named "policy".
 */
const certificatePolicyGet: RouteHandler = async ({ app, request, vault }) => {
  const found = await getCertificatePolicy(app.services, requireObjectName(request.params.name));
  return json(200, policyToWire(vault, found.name, found.policy));
};

/** The JS SDK ignores this body (it always hands its caller an empty policy); the other SDKs read it. */
const certificatePolicyUpdate: RouteHandler = async ({ app, request, readBody, vault }) => {
  const name = requireObjectName(request.params.name);
  const input = parseBody(certificatePolicySchema, await readBody());
  const updated = await updateCertificatePolicy(app.services, name, input);
  return json(200, policyToWire(vault, updated.name, updated.policy));
};

registerKeyVaultRoute('certificatePolicyGet', {
  route: 'certificates/{name}/policy',
  methods: ['GET'],
  permission: 'certificates/get',
  handler: certificatePolicyGet,
});

registerKeyVaultRoute('certificatePolicyUpdate', {
  route: 'certificates/{name}/policy',
  methods: ['PATCH'],
  permission: 'certificates/update',
  handler: certificatePolicyUpdate,
});
