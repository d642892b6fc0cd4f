import type { KeySpec } from '../crypto/key-spec';
import { canonicalSpelling } from './canonical-spelling';
import type { SubjectAlternativeNames } from '../crypto/certificate-profile';
import type { KeyUsageName } from '../crypto/certificate-profile';

export { KEY_USAGE_NAMES as KEY_USAGES } from '../crypto/certificate-profile';
export { EC_CURVES, RSA_KEY_SIZES } from '../crypto/key-spec';
export type { SubjectAlternativeNames };

/** The two issuer names Key Vault reserves; anything else names an issuer object in the vault. */
export const SELF_ISSUER = 'Self';
export const UNKNOWN_ISSUER = 'Unknown';
export const RESERVED_ISSUERS: readonly string[] = [SELF_ISSUER, UNKNOWN_ISSUER];

/** The key types a policy may name; the -HSM ones are Key Vault's, refused here for want of an HSM. */
export const POLICY_KEY_TYPES = ['RSA', 'RSA-HSM', 'EC', 'EC-HSM'] as const;

export type SecretContentType = 'application/x-pkcs12' | 'application/x-pem-file';
export const SECRET_CONTENT_TYPES: readonly SecretContentType[] = ['application/x-pkcs12', 'application/x-pem-file'];

export const LIFETIME_ACTION_TYPES = ['AutoRenew', 'EmailContacts'] as const;
export type LifetimeActionType = (typeof LIFETIME_ACTION_TYPES)[number];

export interface LifetimeAction {
  trigger: { lifetimePercentage: number } | { daysBeforeExpiry: number };
  action: LifetimeActionType;
}

/** A certificate policy with every default applied: what the service acts on and shows back. */
export interface CertificatePolicy {
  key: KeySpec & { exportable: boolean; reuseKey: boolean };
  secretContentType: SecretContentType;
  subject: string;
  sans: SubjectAlternativeNames;
  ekus: string[];
  keyUsage: KeyUsageName[];
  validityMonths: number;
  lifetimeActions: LifetimeAction[];
  issuer: { name: string; certificateType?: string; certificateTransparency?: boolean };
  enabled: boolean;
  /** Unix seconds. */
  created: number;
  updated: number;
}

/** Key Vault matches the reserved names in any case (`self` is Self), so none of those spellings can name an issuer object. */
export function isReservedIssuer(name: string): boolean {
  return canonicalSpelling(name, RESERVED_ISSUERS) !== undefined;
}
