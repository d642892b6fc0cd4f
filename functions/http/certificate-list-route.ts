import { continuationToken, parseIncludePending, parseListQuery } from '../../shared/api/list-query';
import { certificateItemToWire, deletedCertificateItemToWire } from '../../shared/api/wire/certificate-item.wire';
import { type CertificateListName, LISTING_KEY_PATTERN } from '../../shared/domain/certificate-listing';
import { listCertificates } from '../../shared/services/list-certificates';
import { type RouteHandler, json } from './key-vault-route';

const PATHS: Record<CertificateListName, string> = { live: 'certificates', deleted: 'deletedcertificates' };

/**
 * The handler of both certificate lists: one page of items, `maxresults` at a time, `includePending` kept in
 * the `nextLink` (which the SDKs follow verbatim) so later pages list what the first one did. `value` is
 * always there; `nextLink` is null on the last page.
 */
export function certificateListRoute(list: CertificateListName): RouteHandler {
  const toWire = list === 'live' ? certificateItemToWire : deletedCertificateItemToWire;
  return async ({ app, request, vault, apiVersion, recovery }) => {
    const { maxResults, after } = parseListQuery(request.query, LISTING_KEY_PATTERN);
    const includePending = parseIncludePending(request.query);
    const page = await listCertificates(app.services, list, { limit: maxResults, includePending, ...(after !== undefined ? { after } : {}) });
    const nextLink = page.continueAfter
      ? `${vault}/${PATHS[list]}?api-version=${apiVersion}&$skiptoken=${continuationToken(page.continueAfter)}&maxresults=${maxResults}` +
        (includePending ? '&includePending=true' : '')
      : null;
    return json(200, { value: page.listings.map((listing) => toWire(vault, recovery, listing)), nextLink });
  };
}
