import type { CertificateContact } from '../../domain/certificate-contact';
import { contactsId } from './identifiers';

/** The vault's contacts as Key Vault's `Contacts` body; absent fields are left out, as Key Vault does. */
export function contactsToWire(vault: string, contacts: readonly CertificateContact[]): Record<string, unknown> {
  return {
    id: contactsId(vault),
    contacts: contacts.map((c) => ({
      email: c.email,
      ...(c.name !== undefined ? { name: c.name } : {}),
      ...(c.phone !== undefined ? { phone: c.phone } : {}),
    })),
  };
}
