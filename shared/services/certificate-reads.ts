import { errors } from '../api/errors';
import type { CertificatePolicy } from '../domain/certificate-policy';
import { type CertificateVersion, type VersionWithoutKey, withoutKey } from '../domain/certificate-version';
import { type PendingOperation, isVisible } from '../domain/pending-operation';
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
 * The latest version: the one an operation is creating when there is one without a certificate (Key Vault
 * shows it disabled, and the SDK's operation poller depends on it), else the newest issued one, which the
 * head carries a copy of (heads from before the copy existed cost one more read).
 */
export async function getLatestCertificate(ctx: ServiceContext, name: string): Promise<CertificateView> {
  const [stored, head] = await Promise.all([ctx.certificates.getOperation(name), ctx.certificates.getHead(name)]);
  const op = stored?.value;
  if (unissued(op)) return { kind: 'pending', operation: op };
  if (!head) throw errors.certificateNotFound(name);
  const latest = head.latest ?? (await ctx.certificates.getVersion(name, head.latestVersion).then((v) => v && withoutKey(v)));
  if (!latest) throw errors.certificateNotFound(name);
  return { kind: 'issued', version: latest, policy: head.policy, pendingVisible: isVisible(op) };
}

export async function getCertificateVersion(ctx: ServiceContext, name: string, version: string): Promise<CertificateView> {
  const issued = await ctx.certificates.getVersion(name, version);
  if (issued) return { kind: 'issued', version: withoutKey(issued), pendingVisible: false };
  const op = (await ctx.certificates.getOperation(name))?.value;
  if (unissued(op) && op.version === version.toLowerCase()) return { kind: 'pending', operation: op };
  throw errors.certificateVersionNotFound(name, version);
}

/** The issued version behind a secret id; the latest when no version is given. */
export async function getIssuedVersion(ctx: ServiceContext, name: string, version: string | undefined): Promise<CertificateVersion> {
  if (version) {
    const found = await ctx.certificates.getVersion(name, version);
    if (!found) throw errors.secretNotFound(name, version);
    return found;
  }
  const head = await ctx.certificates.getHead(name);
  const latest = head && (await ctx.certificates.getVersion(name, head.latestVersion));
  if (!latest) throw errors.secretNotFound(name);
  return latest;
}
