import { errors } from '../shared/api/errors';
import type { RouteHandler } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET /certificates/issuers (the SDKs' list of issuers; .NET sends it without a trailing slash). Not offered
 * yet; registered so that the path is answered for what it is, rather than taken by
 * `certificates/{name}/{version?}` as a certificate named "issuers".
 */
const issuerList: RouteHandler = async () => {
  throw errors.notImplemented('listing certificate issuers');
};

registerKeyVaultRoute('issuerList', {
  route: 'certificates/issuers',
  methods: ['GET'],
  permission: 'certificates/listissuers',
  handler: issuerList,
});
