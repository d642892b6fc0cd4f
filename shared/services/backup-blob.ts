import { z } from 'zod';
import { errors } from '../api/errors';
import { BackupEnvelopeError, openBackup, sealBackup } from '../crypto/backup-envelope';
import type { CertificatePolicy } from '../domain/certificate-policy';
import type { VersionWithoutKey } from '../domain/certificate-version';

/**
 * What a backup blob holds, and its text form on the wire (base64url, as Key Vault's blobs are): every issued
 * version with its private key in the clear *inside* the encrypted envelope (shared/crypto/backup-envelope.ts
 * is what protects it), the certificate's current policy and which version is the latest. A blob made by one
 * deployment opens in any deployment with the same key-encryption key.
 */

export interface BackedUpVersion {
  version: VersionWithoutKey;
  /** Absent for a version whose key never came to the vault. */
  privateKeyPkcs8?: Buffer;
}

export interface CertificateBackup {
  /** As the caller spelled it when the certificate was made. */
  name: string;
  policy: CertificatePolicy;
  latestVersion: string;
  /** In version-id order. */
  versions: BackedUpVersion[];
}

/** Version of the contents' JSON shape, apart from the envelope's own format byte. */
const CONTENTS_VERSION = 1;

/**
 * The contents are authenticated before they are read, so they are this service's own output; the check is
 * there so that a blob from a build with another shape fails as a corrupt blob instead of half-restoring.
 */
const contentsSchema = z.object({
  v: z.literal(CONTENTS_VERSION),
  name: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/),
  policy: z.looseObject({ issuer: z.looseObject({ name: z.string() }), key: z.looseObject({}) }),
  latestVersion: z.string().regex(/^[0-9a-f]{32}$/),
  versions: z
    .array(
      z.object({
        version: z.looseObject({ name: z.string(), version: z.string().regex(/^[0-9a-f]{32}$/), chain: z.array(z.string()).min(1) }),
        privateKeyPkcs8: z.string().optional(),
      }),
    )
    .min(1),
});

export function encodeBackup(kek: Buffer, backup: CertificateBackup): string {
  const contents = {
    v: CONTENTS_VERSION,
    name: backup.name,
    policy: backup.policy,
    latestVersion: backup.latestVersion,
    versions: backup.versions.map((v) => ({
      version: v.version,
      ...(v.privateKeyPkcs8 ? { privateKeyPkcs8: v.privateKeyPkcs8.toString('base64') } : {}),
    })),
  };
  return sealBackup(kek, Buffer.from(JSON.stringify(contents), 'utf8')).toString('base64url');
}

/** Opens a blob, or refuses it with Key Vault's 400 whatever is wrong with it (the message never says which check failed). */
export function decodeBackup(kek: Buffer, value: string): CertificateBackup {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value)) throw errors.corruptBackup();
  let parsed: z.infer<typeof contentsSchema>;
  try {
    const contents = openBackup(kek, Buffer.from(value, 'base64url'));
    parsed = contentsSchema.parse(JSON.parse(contents.toString('utf8')));
  } catch (error) {
    if (error instanceof BackupEnvelopeError || error instanceof SyntaxError || error instanceof z.ZodError) throw errors.corruptBackup();
    throw error;
  }
  const versions = parsed.versions.map((v) => ({
    version: v.version as unknown as VersionWithoutKey,
    ...(v.privateKeyPkcs8 ? { privateKeyPkcs8: Buffer.from(v.privateKeyPkcs8, 'base64') } : {}),
  }));
  const consistent =
    versions.every((v) => v.version.name.toLowerCase() === parsed.name.toLowerCase()) &&
    versions.some((v) => v.version.version === parsed.latestVersion) &&
    new Set(versions.map((v) => v.version.version)).size === versions.length;
  if (!consistent) throw errors.corruptBackup();
  return { name: parsed.name, policy: parsed.policy as unknown as CertificatePolicy, latestVersion: parsed.latestVersion, versions };
}
