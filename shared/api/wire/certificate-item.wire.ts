import type { CertificateListing } from '../../domain/certificate-listing';
import type { Recovery } from '../../domain/soft-delete';
import { versionAttributesToWire } from './certificate-bundle.wire';
import { certificateId, deletedCertificateId } from './identifiers';

/**
 * A certificate as an item of `GET /certificates`: CertificateItem `{id, x5t, attributes, tags}`, its id
 * without a version (contract §2.7). A certificate with no issued version yet has no `x5t`.
 */
export function certificateItemToWire(vault: string, recovery: Recovery, listing: CertificateListing): Record<string, unknown> {
  return {
    id: certificateId(vault, listing.name),
    ...(listing.x5t ? { x5t: listing.x5t } : {}),
    attributes: versionAttributesToWire(listing, recovery),
    tags: listing.tags,
  };
}

/** A soft-deleted certificate as an item of `GET /deletedcertificates`: the item plus where and until when it can be recovered. */
export function deletedCertificateItemToWire(vault: string, recovery: Recovery, listing: CertificateListing): Record<string, unknown> {
  return {
    recoveryId: deletedCertificateId(vault, listing.name),
    ...(listing.deletion ? { deletedDate: listing.deletion.deletedDate, scheduledPurgeDate: listing.deletion.scheduledPurgeDate } : {}),
    ...certificateItemToWire(vault, recovery, listing),
  };
}
