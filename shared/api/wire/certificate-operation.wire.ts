import type { PendingOperation } from '../../domain/pending-operation';
import { certificateId, pendingId } from './identifiers';

/**
 * The pending operation on the wire (CertificateOperation), plus the issuer job's progress in `issuer_job`,
 * a property the SDKs ignore (they read only the members they model). Times are unix seconds, as Key
 * Vault's attributes are:
 * - `attempts`: failed attempts in a row (the issuer unreachable, or the job's own error); back to 0 once the
 *   issuer answers. An operation that failed for this keeps the count; `max_attempts` is the limit.
 * - `last_attempt`: when the job last asked the issuer (or last failed);
 * - `next_attempt`: while in progress, when it asks again (a poll, or a retry after backoff);
 * - `last_error`: why the last attempt failed, in the issuer's words or the service's, never internal text.
 */
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
    issuer_job: {
      attempts: op.job.attempts,
      ...(op.job.maxAttempts !== undefined ? { max_attempts: op.job.maxAttempts } : {}),
      ...(op.job.lastAttemptOn !== undefined ? { last_attempt: op.job.lastAttemptOn } : {}),
      ...(op.job.nextAttemptOn !== undefined && op.status === 'inProgress' ? { next_attempt: op.job.nextAttemptOn } : {}),
      ...(op.job.lastError ? { last_error: op.job.lastError } : {}),
    },
  };
}
