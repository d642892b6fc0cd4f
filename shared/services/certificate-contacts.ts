import { errors } from '../api/errors';
import type { SetContactsBody } from '../api/schemas/contacts.schema';
import type { CertificateContact } from '../domain/certificate-contact';
import type { ServiceContext } from './service-context';

/** PUT /certificates/contacts: replaces the vault's contacts with the list given, and returns it. */
export async function setContacts(ctx: ServiceContext, body: SetContactsBody): Promise<CertificateContact[]> {
  const contacts = body.contacts.map(
    (c): CertificateContact => ({
      email: c.email,
      // An empty name or phone is the same as none: Key Vault's SDKs send what the user left blank.
      ...(c.name ? { name: c.name } : {}),
      ...(c.phone ? { phone: c.phone } : {}),
    }),
  );
  await ctx.contacts.put(contacts);
  return contacts;
}

/** GET /certificates/contacts, or 404 ContactsNotFound when none are set. */
export async function getContacts(ctx: ServiceContext): Promise<CertificateContact[]> {
  const contacts = await ctx.contacts.get();
  if (!contacts) throw errors.contactsNotFound();
  return contacts;
}

/** DELETE /certificates/contacts: removes the contacts and returns them, or 404 ContactsNotFound when none are set. */
export async function deleteContacts(ctx: ServiceContext): Promise<CertificateContact[]> {
  const removed = await ctx.contacts.remove();
  if (!removed) throw errors.contactsNotFound();
  return removed;
}
