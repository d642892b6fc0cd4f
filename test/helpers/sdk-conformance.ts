/**
 * What every official SDK must be able to do against this service, by name. Each SDK's own test program
 * (test/dotnet, test/python, and the JS suite) has one test per scenario, named exactly as here; the jest
 * wrappers in test/e2e run the program and hold each scenario to having run and passed, so an SDK cannot
 * quietly drop one. A scenario an SDK cannot run here at all (its package is not to be had) is declared, with the
 * reason, in that SDK's wrapper (`cannotRun`); the program then reports it skipped and the wrapper prints why.
 */
export const SDK_CONFORMANCE_SCENARIOS = [
  /** The SDK's token-less first request gets the 401 challenge, and it then asks its credential for the challenge's scope. */
  'challenge_handshake',
  /** A Self create, polled with the SDK's own poller to completion. */
  'self_create_polled_to_completion',
  /** The completed certificate and its secret: the PFX opens (empty password) and its key matches the certificate. */
  'certificate_and_secret_read',
  /** An Unknown create merged with a chain signed by a test CA made in the test: the merged certificate is served. */
  'unknown_create_merged',
  /** Cancelling a pending operation (issuer Unknown): it is cancelled at once, without an error, and reads so when fetched again. */
  'pending_operation_cancelled',
  /** Deleting a pending operation: a later get of the operation is a 404 (the SDK's not-found error). */
  'pending_operation_deleted',
  /** A create while one is in progress for the name: 409 Conflict (seed scenario S6). */
  'create_while_in_progress_conflicts',
  /** Tags set and the latest version disabled with the SDK's update-properties call, read back; that version's secret is then refused with 403 Forbidden. */
  'properties_updated',
  /** The policy's subject and validity updated, read back with get-policy: the rest of the policy (issuer, key type) stays as it was. */
  'policy_updated',
  /** Two versions of one name, both listed (and nothing else) by the SDK's versions pager. */
  'certificate_versions_listed',
  /** An issuer (provider Test) created, read, updated and deleted (then a 404); the vault's contacts set, read and deleted (then a 404). */
  'issuer_and_contacts_managed',
  /** A password-protected PFX made in the test, imported and read back: the served certificate is its, and the secret's key is its key. */
  'certificate_imported',
  /**
   * Soft delete with the SDK's delete poller (it waits on GET /deletedcertificates/{name}) waited to completion;
   * the deleted certificate read (recoveryId, deletedDate, scheduledPurgeDate) while a get of the live one is the
   * SDK's not-found error; recovered with the SDK's recover poller, the same version back; deleted again and
   * purged, after which a get of the deleted one is not-found too.
   */
  'certificate_deleted_and_recovered',
  /**
   * Certificates listed with the SDK's pager: one still pending (issuer Unknown) is listed only with
   * include-pending; after one is deleted, it leaves that list and is the one the deleted-certificates pager lists.
   */
  'certificates_listed',
  /**
   * A backup, then the certificate deleted (the SDK's poller) and purged, then the backup restored: the
   * certificate, its version and its secret are back as they were. Restoring it over the live name is 409 Conflict.
   */
  'backup_restored',
  /**
   * A digest signed with the certificate's key through the SDK's CryptographyClient (the keys package), for an
   * RSA and an EC key, verified locally with the public key of the certificate itself.
   */
  'key_signs_with_certificate_key',
  /**
   * A private CA (docs/private-ca.md): a CA certificate made with Self and a keyCertSign policy, a `PrivateCA`
   * issuer naming it made with the SDK's create-issuer call, then a certificate created with that issuer and
   * waited on with the SDK's own poller. The issued certificate chains to the CA: its issuer is the CA's subject
   * and its signature verifies with the CA's public key (checked in the SDK's language).
   */
  'private_ca_issued',
] as const;

export type SdkConformanceScenario = (typeof SDK_CONFORMANCE_SCENARIOS)[number];
