import { errors } from '../shared/api/errors';
import type { RouteHandler } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET and PATCH /certificates/{name}/policy. Not offered yet; registered so that the path is answered for
 * what it is, rather than taken by `certificates/{name}/{version?}` as a version named "policy" (a misleading
 * CertificateNotFound).
 */
const certificatePolicyGet: RouteHandler = async () => {
  throw errors.notImplemented('getting a certificate policy');
};

const certificatePolicyUpdate: RouteHandler = async () => {
  throw errors.notImplemented('updating a certificate policy');
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
