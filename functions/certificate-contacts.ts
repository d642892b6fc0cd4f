import { app } from '@azure/functions';
import { errors } from '../shared/api/errors';
import { keyVaultRoute } from './http/key-vault-route';

/**
 * GET, PUT and DELETE /certificates/contacts (the vault's certificate contacts). Not offered yet; registered
 * so that the path is answered for what it is, rather than taken by `certificates/{name}/{version?}` as a
 * certificate named "contacts".
 */
export const certificateContacts = keyVaultRoute(async () => {
  throw errors.notImplemented('certificate contacts');
});

app.http('certificateContacts', {
  route: 'certificates/contacts',
  methods: ['GET', 'PUT', 'DELETE'],
  authLevel: 'anonymous',
  handler: certificateContacts,
});
