import { errors } from '../shared/api/errors';
import { parseBody } from '../shared/api/parse-body';
import { setContactsSchema } from '../shared/api/schemas/contacts.schema';
import { contactsToWire } from '../shared/api/wire/contacts.wire';
import { deleteContacts, getContacts, setContacts } from '../shared/services/certificate-contacts';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET, PUT and DELETE /certificates/contacts: the vault's certificate contacts, each answered with the
 * `Contacts` body (DELETE: the contacts it removed). One function for the three methods, since they share
 * one path and one permission; it is registered so that the path is never taken by
 * `certificates/{name}/{version?}` as a certificate named "contacts".
 */
const certificateContacts: RouteHandler = async ({ app, request, readBody, vault }) => {
  switch (request.method) {
    case 'PUT':
      return json(200, contactsToWire(vault, await setContacts(app.services, parseBody(setContactsSchema, await readBody()))));
    case 'GET':
      return json(200, contactsToWire(vault, await getContacts(app.services)));
    case 'DELETE':
      return json(200, contactsToWire(vault, await deleteContacts(app.services)));
    default:
      // The host routes only the registered methods here; the catch-all answers the rest with 405.
      throw errors.methodNotAllowed(request.method, ['DELETE', 'GET', 'PUT']);
  }
};

registerKeyVaultRoute('certificateContacts', {
  route: 'certificates/contacts',
  methods: ['GET', 'PUT', 'DELETE'],
  permission: 'certificates/managecontacts',
  handler: certificateContacts,
});
