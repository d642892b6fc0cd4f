import { continuationToken, parseListQuery } from '../shared/api/list-query';
import { requireObjectName } from '../shared/api/object-name';
import { pendingVersionItemToWire, versionItemToWire } from '../shared/api/wire/certificate-version-item.wire';
import { listCertificateVersions } from '../shared/services/certificate-versions';
import { type RouteHandler, json } from './http/key-vault-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET /certificates/{name}/versions → one page of `{id, x5t, attributes, tags}` items (ids with their
 * version), `maxresults` at a time, and a `nextLink` the SDKs follow verbatim while there is more. A name
 * with no versions lists empty (200), as Key Vault does. The literal `versions` segment outranks
 * `certificates/{name}/{version?}` in the host's routing, so this is never read as a version named "versions".
 */
const certificateVersions: RouteHandler = async ({ app, request, vault, recovery, apiVersion }) => {
  const name = requireObjectName(request.params.name);
  const { maxResults, after } = parseListQuery(request.query);
  const page = await listCertificateVersions(app.services, name, maxResults, after);
  const nextLink = page.continueAfter
    ? `${vault}/certificates/${name}/versions?api-version=${apiVersion}&$skiptoken=${continuationToken(page.continueAfter)}&maxresults=${maxResults}`
    : null;
  const value = page.items.map((item) => (item.kind === 'issued' ? versionItemToWire(vault, recovery, item.version) : pendingVersionItemToWire(vault, recovery, item.operation)));
  return json(200, { value, nextLink });
};

registerKeyVaultRoute('certificateVersions', {
  route: 'certificates/{name}/versions',
  methods: ['GET'],
  permission: 'certificates/list',
  handler: certificateVersions,
});
