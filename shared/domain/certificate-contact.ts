/**
 * One of the vault's certificate contacts (`/certificates/contacts`): who is told about certificate events,
 * such as a lifetime action `EmailContacts`. The vault has one list of them, set and deleted as a whole.
 */
export interface CertificateContact {
  email: string;
  name?: string;
  phone?: string;
}
