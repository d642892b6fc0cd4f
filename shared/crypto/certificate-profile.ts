/** What a certificate says about its holder, independent of who signs it or how it is requested. */

/** Key Vault's wire names for the X.509 key usage bits, in bit order. */
export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

export interface SubjectAlternativeNames {
  dnsNames: string[];
  emails: string[];
  upns: string[];
  uris: string[];
  ipAddresses: string[];
}

export interface CertificateProfile {
  /** RFC 4514-style distinguished name, e.g. "CN=x, O=y"; attribute names are case-insensitive; may be "". */
  subject: string;
  sans: SubjectAlternativeNames;
  /** Extended key usage OIDs, e.g. "1.3.6.1.5.5.7.3.1". */
  ekus: string[];
  keyUsage: KeyUsageName[];
  /** Present when the holder is a certificate authority (basicConstraints CA:true); absent for a leaf. */
  ca?: CaConstraints;
}

/** What a CA may sign, as its basicConstraints and nameConstraints extensions say (RFC 5280 4.2.1.9, 4.2.1.10). */
export interface CaConstraints {
  /** How many intermediate CAs may follow it in a path; absent means no limit. */
  pathLength?: number;
  /** DNS subtrees ("corp.example.com" covers it and every name below it); empty means any name. */
  permittedDnsDomains: string[];
  /** DNS subtrees no certificate below it may name. */
  excludedDnsDomains: string[];
}

/** A CA with no limits: what `keyCertSign` alone asks for. */
export function unconstrainedCa(): CaConstraints {
  return { permittedDnsDomains: [], excludedDnsDomains: [] };
}

/**
 * A profile that cannot be encoded (bad subject, name, IP or OID). A caller's policy is checked for all of these
 * before it is stored (policy-resolution.ts, assertDistinguishedName, both answered 400), so this one is a last
 * line of defence: reaching it from a request is a gap in that checking.
 */
export class CertificateProfileError extends Error {
  override readonly name = 'CertificateProfileError';
}

export function emptySans(): SubjectAlternativeNames {
  return { dnsNames: [], emails: [], upns: [], uris: [], ipAddresses: [] };
}

export function hasAnySan(sans: SubjectAlternativeNames): boolean {
  return (
    sans.dnsNames.length + sans.emails.length + sans.upns.length + sans.uris.length + sans.ipAddresses.length > 0
  );
}
