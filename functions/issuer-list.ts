import { continuationToken, parseListQuery } from '../shared/api/list-query';
import { issuerItemToWire } from '../shared/api/wire/issuer.wire';
import { listIssuers } from '../shared/services/issuer-objects';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET /certificates/issuers (the SDKs' list of issuers; .NET sends it without a trailing slash) → one page of
 * `{id, provider}` items, `maxresults` at a time, and a `nextLink` the SDKs follow verbatim while there is more.
 * Registered on its own path so that it is never taken by `certificates/{name}/{version?}` as a certificate
 * named "issuers".
 */
const issuerList: RouteHandler = async ({ app, request, vault, apiVersion }) => {
  const { maxResults, after } = parseListQuery(request.query);
  const page = await listIssuers(app.services, maxResults, after);
  const nextLink = page.continueAfter
    ? `${vault}/certificates/issuers?api-version=${apiVersion}&$skiptoken=${continuationToken(page.continueAfter)}&maxresults=${maxResults}`
    : null;
  return json(200, { value: page.issuers.map((issuer) => issuerItemToWire(vault, issuer)), nextLink });
};

registerKeyVaultRoute('issuerList', {
  route: 'certificates/issuers',
  methods: ['GET'],
  permission: 'certificates/listissuers',
  handler: issuerList,
});
