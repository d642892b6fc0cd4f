import type { CertificateLifetime } from '../../services/certificate-lifetime';
import { certificateId } from './identifiers';

/**
 * GET /certificates/{name}/lifetime (ours; Key Vault has no such route, docs/lifetime.md). Snake case as the
 * policy's `lifetime_actions`, times in unix seconds as Key Vault's attributes. Members that do not apply are
 * left out, never null.
 */
export function certificateLifetimeToWire(vault: string, lifetime: CertificateLifetime) {
  const { latest, nextAction: next, lastRenewal: last } = lifetime;
  return {
    id: `${certificateId(vault, lifetime.name)}/lifetime`,
    ...(latest ? { version: latest.version, expires: latest.expires } : {}),
    ...(next
      ? { next_action: { action_type: next.action, version: next.version, trigger_at: next.triggerAt, due_at: next.dueAt, retry: next.retry } }
      : {}),
    ...(last
      ? {
          last_renewal: {
            attempt: last.attempt,
            outcome: last.outcome,
            at: last.at,
            from_version: last.fromVersion,
            ...(last.requestId ? { request_id: last.requestId } : {}),
            ...(last.error ? { error: { code: last.error.code, message: last.error.message } } : {}),
            ...(last.nextRetryAt !== undefined ? { next_retry_at: last.nextRetryAt } : {}),
          },
        }
      : {}),
  };
}
