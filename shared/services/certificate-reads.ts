import { errors } from '../api/errors';
import type { CertificatePolicy } from '../domain/certificate-policy';
import { type CertificateVersion, type VersionWithoutKey, withoutKey } from '../domain/certificate-version';
import { type PendingOperation, isVisible } from '../domain/pending-operation';
import type { CertificateHead } from '../storage/repositories';
import type { ServiceContext } from './service-context';

/** What GET /certificates/{name}/{version?} shows: an issued version, or the one an operation is creating. */
export type CertificateView =
  | { kind: 'issued'; version: VersionWithoutKey; policy?: CertificatePolicy; pendingVisible: boolean }
  | { kind: 'pending'; operation: PendingOperation };

/** The operation's version has no certificate yet (still requested, failed, cancelled or abandoned). */
export function unissued(op: PendingOperation | undefined): op is PendingOperation {
  return op !== undefined && op.status !== 'completed';
}

/**
 * Whether a read of the latest version shows the version this operation is making instead of the issued one:
 * for a caller's own create it does, as on Key Vault (and the SDK's create poller depends on it); for a
 * renewal the lifetime sweep started it does not, so the current version stays in service while the renewal
 * runs and after it fails (issue 12), and a caller sees the new version only once it is issued.
 */
export function showsAsLatest(op: PendingOperation | undefined, head: CertificateHead | undefined): op is PendingOperation {
  return unissued(op) && !(op.renewal && head);
}

/**
 * Whether the name is soft-deleted (or being purged): every live read then answers as if it did not exist
 * (docs/storage-design.md, rule 1). The head alone says so, so a read that has it needs nothing more.
 */
export function isDeleted(head: CertificateHead | undefined): boolean {
  return head?.deletion !== undefined;
}

/**
 * The latest version a head and operation describe: the one the operation is creating when it has no
 * certificate yet (Key Vault shows it disabled, and the SDK's operation poller depends on it; not a renewal's,
 * see showsAsLatest), else the
 * newest issued one, which the head carries a copy of (heads from before the copy existed cost one more read).
 */
export async function latestOf(ctx: ServiceContext, name: string, head: CertificateHead | undefined, op: PendingOperation | undefined): Promise<CertificateView> {
  if (showsAsLatest(op, head)) return { kind: 'pending', operation: op };
  if (!head) throw errors.certificateNotFound(name);
  const latest = head.latest ?? (await ctx.certificates.getVersion(name, head.latestVersion).then((v) => v && withoutKey(v)));
  if (!latest) throw errors.certificateNotFound(name);
  return { kind: 'issued', version: latest, policy: head.policy, pendingVisible: isVisible(op) };
}

/** GET /certificates/{name}/: the latest version, from the operation and the head read together (one storage request). */
export async function getLatestCertificate(ctx: ServiceContext, name: string): Promise<CertificateView> {
  const { operation, head } = await ctx.certificates.getOperationAndHead(name);
  if (isDeleted(head?.value)) throw errors.certificateNotFound(name);
  return latestOf(ctx, name, head?.value, operation?.value);
}

/** The head is read beside the version (one more point read, in parallel): a deleted certificate has no versions to show. */
export async function getCertificateVersion(ctx: ServiceContext, name: string, version: string): Promise<CertificateView> {
  const [issued, head] = await Promise.all([ctx.certificates.getVersion(name, version), ctx.certificates.getHead(name)]);
  if (isDeleted(head)) throw errors.certificateVersionNotFound(name, version);
  if (issued) return { kind: 'issued', version: withoutKey(issued), pendingVisible: false };
  const op = (await ctx.certificates.getOperation(name))?.value;
  if (unissued(op) && op.version === version.toLowerCase()) return { kind: 'pending', operation: op };
  throw errors.certificateVersionNotFound(name, version);
}

/**
 * The issued version a read of one certificate's material names (the latest when no version is given), or
 * undefined when there is none or the certificate is deleted; each caller answers that with its own 404.
 */
export async function findIssuedVersion(ctx: ServiceContext, name: string, version: string | undefined): Promise<CertificateVersion | undefined> {
  if (version) {
    const [found, head] = await Promise.all([ctx.certificates.getVersion(name, version), ctx.certificates.getHead(name)]);
    return isDeleted(head) ? undefined : found;
  }
  const head = await ctx.certificates.getHead(name);
  if (!head || isDeleted(head)) return undefined;
  return ctx.certificates.getVersion(name, head.latestVersion);
}

/** The issued version behind a secret id; the latest when no version is given. */
export async function getIssuedVersion(ctx: ServiceContext, name: string, version: string | undefined): Promise<CertificateVersion> {
  const found = await findIssuedVersion(ctx, name, version);
  if (!found) throw errors.secretNotFound(name, version);
  return found;
}
