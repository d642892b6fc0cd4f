import type { IssuerObject } from '../../domain/issuer';
import { issuerId } from './identifiers';

/** An issuer object as an IssuerBundle; the password is never shown back. */
export function issuerToWire(vault: string, issuer: IssuerObject): Record<string, unknown> {
  const admins = issuer.adminContacts.map((c) => ({
    ...(c.firstName !== undefined ? { first_name: c.firstName } : {}),
    ...(c.lastName !== undefined ? { last_name: c.lastName } : {}),
    ...(c.email !== undefined ? { email: c.email } : {}),
    ...(c.phone !== undefined ? { phone: c.phone } : {}),
  }));
  return {
    id: issuerId(vault, issuer.name),
    provider: issuer.provider,
    ...(issuer.accountId !== undefined ? { credentials: { account_id: issuer.accountId } } : {}),
    ...(issuer.organizationId !== undefined || admins.length > 0
      ? { org_details: { ...(issuer.organizationId !== undefined ? { id: issuer.organizationId } : {}), admin_details: admins } }
      : {}),
    attributes: { enabled: issuer.enabled, created: issuer.created, updated: issuer.updated },
  };
}

/** An issuer in a list (CertificateIssuerItem): its id and provider only, as Key Vault lists them. */
export function issuerItemToWire(vault: string, issuer: IssuerObject): { id: string; provider: string } {
  return { id: issuerId(vault, issuer.name), provider: issuer.provider };
}
