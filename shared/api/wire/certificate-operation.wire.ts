import type { PendingOperation } from '../../domain/pending-operation';
import { certificateId, pendingId } from './identifiers';

/** The pending operation on the wire (CertificateOperation), plus retry state in a property the SDKs ignore. */
export function operationToWire(vault: string, op: PendingOperation): Record<string, unknown> {
  const issuer = op.policy.issuer;
  return {
    id: pendingId(vault, op.name),
    issuer: {
      name: issuer.name,
      ...(issuer.certificateType ? { cty: issuer.certificateType } : {}),
      ...(issuer.certificateTransparency !== undefined ? { cert_transparency: issuer.certificateTransparency } : {}),
    },
    csr: op.csr,
    cancellation_requested: op.cancellationRequested,
    status: op.status,
    // A cancelled operation shows neither, whatever an older row holds (see cancelled() in the domain).
    ...(op.statusDetails !== undefined && op.status !== 'cancelled' ? { status_details: op.statusDetails } : {}),
    ...(op.error && op.status !== 'cancelled' ? { error: { code: op.error.code, message: op.error.message } } : {}),
    ...(op.status === 'completed' ? { target: certificateId(vault, op.name) } : {}),
    ...(op.preserveCertOrder ? { preserveCertOrder: true } : {}),
    request_id: op.requestId,
    job: {
      attempts: op.job.attempts,
      ...(op.job.lastAttemptOn !== undefined ? { last_attempt: op.job.lastAttemptOn } : {}),
      ...(op.job.lastError ? { last_error: op.job.lastError } : {}),
    },
  };
}
