import type { KeyUsageName } from '../crypto/certificate-profile';

/** The JWK operations Key Vault names in a key's `key_ops`, in the order Key Vault lists them. */
const KEY_OPERATIONS = ['sign', 'verify', 'wrapKey', 'unwrapKey', 'encrypt', 'decrypt'] as const;
export type KeyOperation = (typeof KEY_OPERATIONS)[number];

/**
 * What each X.509 key usage lets the certificate's managed key do, per Key Vault's table in
 * about-certificates.md. keyAgreement grants none of these operations (Key Vault offers no key agreement).
 */
const OPERATIONS_OF_USAGE: Record<KeyUsageName, readonly KeyOperation[]> = {
  digitalSignature: ['sign', 'verify'],
  nonRepudiation: ['sign', 'verify'],
  keyCertSign: ['sign', 'verify'],
  cRLSign: ['sign', 'verify'],
  keyEncipherment: ['wrapKey', 'unwrapKey'],
  dataEncipherment: ['encrypt', 'decrypt'],
  encipherOnly: ['encrypt'],
  decipherOnly: ['decrypt'],
  keyAgreement: [],
};

/** The `key_ops` of a certificate's key, derived from its policy's key usage (each operation once). */
export function keyOperationsOf(keyUsage: readonly KeyUsageName[]): KeyOperation[] {
  const allowed = new Set(keyUsage.flatMap((usage) => OPERATIONS_OF_USAGE[usage]));
  return KEY_OPERATIONS.filter((op) => allowed.has(op));
}
