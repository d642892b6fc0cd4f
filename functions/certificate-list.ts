import { certificateListRoute } from './http/certificate-list-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET /certificates?maxresults&includePending → `{value: [CertificateItem], nextLink}`: certificates with an
 * issued version, and with `includePending=true` also those whose first version is still being requested.
 * Ids carry no version. Soft-deleted certificates are listed by GET /deletedcertificates instead.
 */
registerKeyVaultRoute('certificateList', {
  route: 'certificates',
  methods: ['GET'],
  permission: 'certificates/list',
  handler: certificateListRoute('live'),
});
