import { certificateListRoute } from './http/certificate-list-route';
import { registerKeyVaultRoute } from './http/register-route';

/**
 * GET /deletedcertificates?maxresults&includePending → `{value: [DeletedCertificateItem], nextLink}`: the
 * soft-deleted certificates with their `recoveryId`, `deletedDate` and `scheduledPurgeDate`. Key Vault asks
 * for the `list` permission here too.
 */
registerKeyVaultRoute('deletedCertificateList', {
  route: 'deletedcertificates',
  methods: ['GET'],
  permission: 'certificates/list',
  handler: certificateListRoute('deleted'),
});
