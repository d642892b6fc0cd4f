import { app } from '@azure/functions';
import { errors } from '../shared/api/errors';
import { keyVaultRoute } from './http/key-vault-route';

/**
 * GET /certificates/issuers (the SDKs' list of issuers; .NET sends it without a trailing slash). Not offered
 * yet; registered so that the path is answered for what it is, rather than taken by
 * `certificates/{name}/{version?}` as a certificate named "issuers".
 */
export const issuerList = keyVaultRoute(async () => {
  throw errors.notImplemented('listing certificate issuers');
});

app.http('issuerList', {
  route: 'certificates/issuers',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: issuerList,
});
