import type { PendingOperation } from '../../domain/pending-operation';
import type { VersionSummary } from '../../storage/repositories';
import type { Recovery } from '../../domain/soft-delete';
import { pendingAttributesToWire, versionAttributesToWire } from './certificate-bundle.wire';
import { certificateId } from './identifiers';

/** An issued version as an item of `GET /certificates/{name}/versions`: CertificateItem `{id, x5t, attributes, tags}`. */
export function versionItemToWire(vault: string, recovery: Recovery, version: VersionSummary): Record<string, unknown> {
  return {
    id: certificateId(vault, version.name, version.version),
    x5t: version.x5t,
    attributes: versionAttributesToWire(version, recovery),
    tags: version.tags,
  };
}

/** A version still being requested, as GET by version shows it: disabled, and no x5t (it has no certificate yet). */
export function pendingVersionItemToWire(vault: string, recovery: Recovery, op: PendingOperation): Record<string, unknown> {
  return { id: certificateId(vault, op.name, op.version), attributes: pendingAttributesToWire(op, recovery), tags: op.tags };
}
