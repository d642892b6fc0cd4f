import { errors } from '../api/errors';
import { unixSeconds } from '../domain/clock';
import { type PropertyChanges, withProperties } from '../domain/certificate-properties';
import { withoutKey } from '../domain/certificate-version';
import { type PendingOperation, isVisible } from '../domain/pending-operation';
import type { CertificateHead, Stored } from '../storage/repositories';
import { WriteConflictError } from '../storage/storage-errors';
import { changeListedCertificate } from './listing-reconciliation';
import { type CertificateView, showsAsLatest, unissued } from './certificate-reads';
import type { ServiceContext } from './service-context';

/**
 * A lost race is retried on fresh state (the caller's change applied to what the winner wrote is what the
 * caller asked for); only a certificate changed this often by others in the same instant answers 409.
 */
const MAX_ATTEMPTS = 3;

/**
 * PATCH /certificates/{name}/{version}, and /certificates/{name}/ (no version: the latest, as GET finds it).
 *
 * An issued version is changed in one conditional batch with the operation and the head (storage-design
 * rule 2): the version row, the head (its copy of the latest version changes with it; another version's
 * update rewrites it as it is, so a concurrent delete or completion makes one of them lose), and the
 * operation rewritten as read, since completions are conditional on the operation and not on the head.
 *
 * A version still being requested (the operation's) takes the change on the operation, which hands it to
 * the version when it is issued: Key Vault answers such an update 200 and shows the tags at once (its
 * recording "can update the tags of a certificate" patches a certificate a moment after creating it).
 * It still shows disabled until it is issued, as every version being requested does.
 *
 * Lists show attributes and tags, so each batch runs through changeListedCertificate: the list row follows
 * the change before the caller hears of it.
 */
export async function updateCertificateProperties(
  ctx: ServiceContext,
  name: string,
  version: string | undefined,
  changes: PropertyChanges,
): Promise<CertificateView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await updateOnce(ctx, name, version, changes);
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw errors.concurrentUpdate();
    }
  }
}

function notFound(name: string, version: string | undefined) {
  return version ? errors.certificateVersionNotFound(name, version) : errors.certificateNotFound(name);
}

async function updateOnce(
  ctx: ServiceContext,
  name: string,
  version: string | undefined,
  changes: PropertyChanges,
): Promise<CertificateView> {
  const { operation, head } = await ctx.certificates.getOperationAndHead(name);
  // Every head is written together with an operation, so a name without one has no certificate.
  if (!operation || head?.value.deletion) throw notFound(name, version);
  const now = unixSeconds(ctx.clock);
  const op = operation.value;
  // The latest is the operation's version as reads show it: not a renewal's (showsAsLatest), unless named.
  const addressed = version === undefined ? showsAsLatest(op, head?.value) : unissued(op) && op.version === version.toLowerCase();
  if (addressed) {
    const changed = withProperties(op, changes, now);
    await changeListedCertificate(ctx, op.name, () => ctx.certificates.replaceOperationAndHead({ value: changed, etag: operation.etag }, head));
    return { kind: 'pending', operation: changed };
  }
  if (!head) throw notFound(name, version);
  return updateIssued(ctx, operation, head, version, changes, now);
}

async function updateIssued(
  ctx: ServiceContext,
  operation: Stored<PendingOperation>,
  head: Stored<CertificateHead>,
  version: string | undefined,
  changes: PropertyChanges,
  now: number,
): Promise<CertificateView> {
  const name = head.value.name;
  const stored = await ctx.certificates.getStoredVersion(name, version ?? head.value.latestVersion);
  if (!stored) throw notFound(name, version);
  const changed = withProperties(stored.value, changes, now);
  const isLatest = changed.version === head.value.latestVersion;
  const newHead = isLatest ? { ...head.value, latest: withoutKey(changed) } : head.value;
  await changeListedCertificate(ctx, name, () => ctx.certificates.replaceVersion({ value: changed, etag: stored.etag }, operation, { value: newHead, etag: head.etag }));
  return {
    kind: 'issued',
    version: withoutKey(changed),
    // As GET answers: the latest with the certificate's policy, a version by id without it.
    ...(version === undefined ? { policy: head.value.policy } : {}),
    pendingVisible: isVisible(operation.value),
  };
}
