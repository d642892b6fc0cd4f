import type { CertificatePolicy } from '../../domain/certificate-policy';
import type { CertificateVersion } from '../../domain/certificate-version';
import { type PendingOperation, certificatePolicyOf } from '../../domain/pending-operation';
import type { Recovery } from '../../domain/soft-delete';
import { validityWindow } from '../../domain/validity-window';
import type { CertificateView } from '../../services/certificate-reads';
import type { DeletedCertificate } from '../../services/delete-certificate';
import { certificateId, deletedCertificateId, keyId, pendingId, secretId } from './identifiers';
import { policyToWire } from './policy.wire';

/**
 * The attributes a version shows on its certificate, and on the secret and key behind it. `recovery` is the
 * vault's (from its retention setting), as every object of a Key Vault shows its recovery level.
 */
export function versionAttributesToWire(
  version: Pick<CertificateVersion, 'enabled' | 'notBefore' | 'expires' | 'created' | 'updated'>,
  recovery: Recovery,
): Record<string, unknown> {
  return {
    enabled: version.enabled,
    nbf: version.notBefore,
    exp: version.expires,
    created: version.created,
    updated: version.updated,
    ...recovery,
  };
}

/** An issued version as a CertificateBundle. */
export function versionToWire(
  vault: string,
  recovery: Recovery,
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
    attributes: versionAttributesToWire(version, recovery),
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
export function pendingVersionToWire(vault: string, recovery: Recovery, op: PendingOperation): Record<string, unknown> {
  return {
    id: certificateId(vault, op.name, op.version),
    attributes: pendingAttributesToWire(op, recovery),
    // The certificate's policy, updated or not; the attributes' window is the version's own, made under op.policy.
    policy: policyToWire(vault, op.name, certificatePolicyOf(op)),
    tags: op.tags,
    ...(!op.deleted ? { pending: { id: pendingId(vault, op.name) } } : {}),
  };
}

/** What a version still being requested shows: disabled, valid for the window its policy asks for. */
export function pendingAttributesToWire(op: PendingOperation, recovery: Recovery): Record<string, unknown> {
  const window = validityWindow(new Date(op.created * 1000), op.policy.validityMonths);
  return {
    enabled: false,
    nbf: Math.floor(window.notBefore.getTime() / 1000),
    exp: Math.floor(window.notAfter.getTime() / 1000),
    created: op.created,
    updated: op.updated,
    ...recovery,
  };
}

/** What GET /certificates/{name}/{version} shows, and recover answers: an issued version, or the one being requested. */
export function certificateViewToWire(vault: string, recovery: Recovery, view: CertificateView): Record<string, unknown> {
  if (view.kind === 'pending') return pendingVersionToWire(vault, recovery, view.operation);
  return versionToWire(vault, recovery, view.version, { ...(view.policy ? { policy: view.policy } : {}), pendingVisible: view.pendingVisible });
}

/** A DeletedCertificateBundle: the certificate as it was, and when it was deleted and will be purged. */
export function deletedCertificateToWire(vault: string, recovery: Recovery, deleted: DeletedCertificate): Record<string, unknown> {
  const name = deleted.certificate.kind === 'pending' ? deleted.certificate.operation.name : deleted.certificate.version.name;
  return {
    ...certificateViewToWire(vault, recovery, deleted.certificate),
    recoveryId: deletedCertificateId(vault, name),
    deletedDate: deleted.deletion.deletedDate,
    scheduledPurgeDate: deleted.deletion.scheduledPurgeDate,
  };
}
