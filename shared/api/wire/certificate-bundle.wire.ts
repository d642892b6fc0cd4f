import type { CertificatePolicy } from '../../domain/certificate-policy';
import type { CertificateVersion } from '../../domain/certificate-version';
import { type PendingOperation, certificatePolicyOf } from '../../domain/pending-operation';
import { validityWindow } from '../../domain/validity-window';
import { certificateId, keyId, pendingId, secretId } from './identifiers';
import { policyToWire } from './policy.wire';

/** Soft-delete is not offered yet, so deleting would purge at once. */
export const RECOVERY_LEVEL = 'Purgeable';

/** The attributes a version shows on its certificate, and on the secret behind it. */
export function versionAttributesToWire(
  version: Pick<CertificateVersion, 'enabled' | 'notBefore' | 'expires' | 'created' | 'updated'>,
): Record<string, unknown> {
  return {
    enabled: version.enabled,
    nbf: version.notBefore,
    exp: version.expires,
    created: version.created,
    updated: version.updated,
    recoveryLevel: RECOVERY_LEVEL,
  };
}

/** An issued version as a CertificateBundle. */
export function versionToWire(
  vault: string,
  version: CertificateVersion,
  options: { policy?: CertificatePolicy; pendingVisible?: boolean } = {},
): Record<string, unknown> {
  const { name } = version;
  return {
    id: certificateId(vault, name, version.version),
    kid: keyId(vault, name, version.version),
    sid: secretId(vault, name, version.version),
    x5t: version.x5t,
    cer: version.chain[0],
    contentType: version.secretContentType,
    attributes: versionAttributesToWire(version),
    ...(options.policy ? { policy: policyToWire(vault, name, options.policy) } : {}),
    tags: version.tags,
    ...(options.pendingVisible ? { pending: { id: pendingId(vault, name) } } : {}),
    ...(version.preserveCertOrder ? { preserveCertOrder: true } : {}),
  };
}

/**
 * The version an operation is creating, before it has a certificate: disabled, no cer/kid/sid. Key Vault
 * serves it on GET /certificates/{name}/, and the SDK's operation poller reads it first.
 */
export function pendingVersionToWire(vault: string, op: PendingOperation): Record<string, unknown> {
  return {
    id: certificateId(vault, op.name, op.version),
    attributes: pendingAttributesToWire(op),
    // The certificate's policy, updated or not; the attributes' window is the version's own, made under op.policy.
    policy: policyToWire(vault, op.name, certificatePolicyOf(op)),
    tags: op.tags,
    ...(!op.deleted ? { pending: { id: pendingId(vault, op.name) } } : {}),
  };
}

/** What a version still being requested shows: disabled, valid for the window its policy asks for. */
export function pendingAttributesToWire(op: PendingOperation): Record<string, unknown> {
  const window = validityWindow(new Date(op.created * 1000), op.policy.validityMonths);
  return {
    enabled: false,
    nbf: Math.floor(window.notBefore.getTime() / 1000),
    exp: Math.floor(window.notAfter.getTime() / 1000),
    created: op.created,
    updated: op.updated,
    recoveryLevel: RECOVERY_LEVEL,
  };
}
