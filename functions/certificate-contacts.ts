import { errors } from '../shared/api/errors';
import type { RouteHandler } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET, PUT and DELETE /certificates/contacts (the vault's certificate contacts). Not offered yet; registered
 * so that the path is answered for what it is, rather than taken by `certificates/{name}/{version?}` as a
 * certificate named "contacts".
 */
const certificateContacts: RouteHandler = async () => {
  throw errors.notImplemented('certificate contacts');
};

registerKeyVaultRoute('certificateContacts', {
  route: 'certificates/contacts',
  methods: ['GET', 'PUT', 'DELETE'],
  permission: 'certificates/managecontacts',
  handler: certificateContacts,
});
