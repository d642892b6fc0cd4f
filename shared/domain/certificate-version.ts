import type { KeySpec } from '../crypto/key-spec';
import type { CertificatePolicy, SecretContentType } from './certificate-policy';

/**
 * One issued version of a certificate, with its key (sealed) and chain. A version exists only once it has
 * a certificate: a version still being requested lives in the pending operation.
 */
export interface CertificateVersion {
  name: string;
  version: string;
  enabled: boolean;
  /** Unix seconds: the certificate's validity, and when this version was made and last changed. */
  notBefore: number;
  expires: number;
  created: number;
  updated: number;
  tags: Record<string, string>;
  /** Leaf first, standard base64 DER each. */
  chain: string[];
  /** base64url SHA-1 of the leaf's DER. */
  x5t: string;
  keySpec: KeySpec;
  exportable: boolean;
  /** Absent when the key never came to this vault (not possible for created certificates). */
  sealedPrivateKey?: string;
  publicKeySpki: string;
  secretContentType: SecretContentType;
  /** The policy this version was made under; the certificate's current policy can change later. */
  policy: CertificatePolicy;
  preserveCertOrder: boolean;
}

/** A version as reads show it: everything but its key. */
export type VersionWithoutKey = Omit<CertificateVersion, 'sealedPrivateKey'>;

export function withoutKey(version: CertificateVersion): VersionWithoutKey {
  const { sealedPrivateKey: _key, ...rest } = version;
  return rest;
}

/** Version ids are 32 hex digits, as on Key Vault (ours are 16 random bytes; read in any case). */
const VERSION_ID = /^[0-9a-f]{32}$/i;

/** Whether `value` could name a version at all: anything else is not looked up, and so reads as not found. */
export function isVersionId(value: string): boolean {
  return VERSION_ID.test(value);
}
