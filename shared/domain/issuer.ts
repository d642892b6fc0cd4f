/** An issuer object of the vault (`/certificates/issuers/{name}`): who issues, and how to reach them. */
export interface IssuerObject {
  name: string;
  provider: string;
  accountId?: string;
  /** The credential's password, sealed with the key-encryption key; never shown back. */
  sealedPassword?: string;
  organizationId?: string;
  adminContacts: { firstName?: string; lastName?: string; email?: string; phone?: string }[];
  enabled: boolean;
  /** Unix seconds. */
  created: number;
  updated: number;
}
