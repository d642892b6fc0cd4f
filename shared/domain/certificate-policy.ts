import type { EcCurve, KeySpec, RsaKeySize } from '../crypto/key-spec';
import type { KeyUsageName } from '../crypto/certificate-profile';

/** The two issuer names Key Vault reserves; anything else names an issuer object in the vault. */
export const SELF_ISSUER = 'Self';
export const UNKNOWN_ISSUER = 'Unknown';

export type SecretContentType = 'application/x-pkcs12' | 'application/x-pem-file';
export const SECRET_CONTENT_TYPES: readonly SecretContentType[] = ['application/x-pkcs12', 'application/x-pem-file'];

export const KEY_USAGES: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

export const RSA_KEY_SIZES: readonly RsaKeySize[] = [2048, 3072, 4096];
export const EC_CURVES: readonly EcCurve[] = ['P-256', 'P-384', 'P-521', 'P-256K'];

export interface SubjectAlternativeNames {
  emails: string[];
  dnsNames: string[];
  upns: string[];
  uris: string[];
  ipAddresses: string[];
}

export type LifetimeActionType = 'AutoRenew' | 'EmailContacts';

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

export function isReservedIssuer(name: string): boolean {
  return name === SELF_ISSUER || name === UNKNOWN_ISSUER;
}
