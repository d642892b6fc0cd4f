import { KeyVaultError } from './key-vault-error';

/** The catalogue of refusals, with Key Vault's codes and wording where the real service's is known. */
export const errors = {
  badParameter: (message: string) => new KeyVaultError(400, 'BadParameter', message),

  invalidName: (name: string) => new KeyVaultError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`),

  missingApiVersion: () => new KeyVaultError(400, 'BadParameter', 'The api-version query parameter is required.'),

  unsupportedApiVersion: (requested: string, latest: string) =>
    new KeyVaultError(
      400,
      'BadParameter',
      `The specified version (${requested}) is not recognized. Consider using the latest supported version (${latest}).`,
    ),

  certificateNotFound: (name: string) =>
    new KeyVaultError(
      404,
      'CertificateNotFound',
      `A certificate with (name/id) ${name} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),

  certificateVersionNotFound: (name: string, version: string) =>
    new KeyVaultError(
      404,
      'CertificateNotFound',
      `A certificate with (name/id) ${name}/${version} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),

  secretNotFound: (name: string, version?: string) =>
    new KeyVaultError(
      404,
      'SecretNotFound',
      `A secret with (name/id) ${version ? `${name}/${version}` : name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),

  keyNotFound: (name: string, version?: string) =>
    new KeyVaultError(
      404,
      'KeyNotFound',
      `A key with (name/id) ${version ? `${name}/${version}` : name} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),

  /** The key's key_ops (from the certificate policy's key usage) do not include the operation. */
  keyOperationForbidden: (operation: string) =>
    new KeyVaultError(403, 'Forbidden', `Operation ${operation} is not permitted on this key.`, 'KeyOperationForbidden'),

  keyDisabled: (operation: string) =>
    new KeyVaultError(403, 'Forbidden', `Operation ${operation} is not allowed on a disabled key.`, 'KeyDisabled'),

  deletedCertificateNotFound: (name: string) => new KeyVaultError(404, 'CertificateNotFound', `Deleted Certificate not found: ${name}`),

  /** Create, import or restore of a name that is soft-deleted: only recover or purge may touch it. */
  certificateDeletedButRecoverable: (name: string) =>
    new KeyVaultError(
      409,
      'Conflict',
      `Certificate ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.`,
      'ObjectIsDeletedButRecoverable',
    ),

  /** The certificate is being purged: nothing may touch the name until the purge is done. */
  certificateBeingDeleted: () => new KeyVaultError(409, 'Conflict', 'Certificate is currently being deleted.', 'ObjectIsBeingDeleted'),

  pendingNotFound: (name: string) =>
    new KeyVaultError(404, 'PendingCertificateNotFound', `Pending certificate not found: ${name}`),

  contactsNotFound: () => new KeyVaultError(404, 'ContactsNotFound', 'Contacts not found'),

  issuerNotFound: () => new KeyVaultError(404, 'CertificateIssuerNotFound', 'Issuer not found'),

  createWhileInProgress: () =>
    new KeyVaultError(
      409,
      // The seed article's code for this 409; user reports also show "Conflict" in the text.
      'Forbidden',
      "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.",
    ),

  mergeForbiddenWhileIssuerInProgress: (issuerName: string) =>
    new KeyVaultError(
      403,
      'Forbidden',
      `Merge is forbidden on pending object created with issuer : ${issuerName} while it is in progess.`,
    ),

  cancelNotInProgress: (status: string) =>
    new KeyVaultError(
      400,
      'BadParameter',
      `Cancellation can only be requested while the pending certificate's status is inProgress; it is ${status}.`,
    ),

  mergeNotPending: (status: string) =>
    new KeyVaultError(
      400,
      'BadParameter',
      `The pending certificate's status is ${status}; there is nothing to merge into.`,
    ),

  secretDisabled: () => new KeyVaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled'),

  /** A path that is no operation of this service (the catch-all answers it, after authentication). */
  unknownPath: (path: string) =>
    new KeyVaultError(404, 'NotFound', `The path ${path} does not match any operation of this service.`),

  /** A known path under a method it does not take: Key Vault's own words, and the methods it does take in Allow. */
  methodNotAllowed: (method: string, allowed: readonly string[]) =>
    new KeyVaultError(405, 'MethodNotAllowed', `HTTP ${method} not allowed`, undefined, { Allow: allowed.join(', ') }),

  /** Key Vault's words for any backup blob it cannot use: altered, cut short, another vault's, or not a blob. */
  corruptBackup: () => new KeyVaultError(400, 'BadParameter', 'Backup blob contains invalid or corrupt version.'),

  /**
   * Key Vault documents that it cannot back up more than 500 versions of an object, without its wording; a
   * 400 that says so, since nothing the caller can do with this certificate will make a backup succeed.
   */
  backupTooManyVersions: (name: string, limit: number) =>
    new KeyVaultError(
      400,
      'BadParameter',
      `Certificate ${name} has more than ${limit} versions; a backup can hold at most ${limit} versions of a certificate.`,
    ),

  /** Restore into a name in use: Key Vault's words, naming the certificate version in the blob. */
  restoreConflict: (certificateVersionId: string) =>
    new KeyVaultError(
      409,
      'Conflict',
      `Conflict while restoring certificate ${certificateVersionId} - certificate already exists or concurrent access`,
    ),

  /** A concurrent writer won a conditional write; the caller can simply retry. */
  concurrentUpdate: () =>
    new KeyVaultError(409, 'Conflict', 'The object was changed by another request at the same time. Retry the request.'),
};
