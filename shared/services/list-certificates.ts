import type { CertificateListName } from '../domain/certificate-listing';
import type { ListingPage } from '../storage/repositories';
import type { ServiceContext } from './service-context';

/**
 * One page of `GET /certificates` (list `live`) or `GET /deletedcertificates` (list `deleted`): read from the
 * lists' index alone, one key range per page (two when the page crosses from issued certificates to
 * pending-only ones), never the certificates themselves. `after` is the key the previous page ended with.
 */
export async function listCertificates(
  ctx: ServiceContext,
  list: CertificateListName,
  options: { limit: number; includePending: boolean; after?: string },
): Promise<ListingPage> {
  return ctx.listings.page(list, options);
}
