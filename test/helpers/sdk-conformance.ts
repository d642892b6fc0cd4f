/**
 * What every official SDK must be able to do against this service, by name. Each SDK's own test program
 * (test/dotnet, test/python, and the JS suite) has one test per scenario, named exactly as here; the jest
 * wrappers in test/e2e run the program and hold each scenario to having run and passed, so an SDK cannot
 * quietly drop one.
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
] as const;

export type SdkConformanceScenario = (typeof SDK_CONFORMANCE_SCENARIOS)[number];
