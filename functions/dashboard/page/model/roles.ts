/**
 * Whether a token's roles let it change certificates (create, cancel, delete): Key Vault's Certificates
 * Officer or Administrator (shared/auth/roles.ts). Only to hide buttons; the API decides.
 */
const ACTING_ROLES = ['KeyVault.CertificatesOfficer', 'KeyVault.Administrator'];

export function canChangeCertificates(roles: readonly string[]): boolean {
  return roles.some((role) => ACTING_ROLES.includes(role));
}
