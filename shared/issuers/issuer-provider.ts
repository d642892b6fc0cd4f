import type { ParsedCertificate } from '../crypto/certificate-chain';
import type { CertificatePolicy } from '../domain/certificate-policy';
import type { IssuerObject } from '../domain/issuer';
import type { JsonValue } from '../domain/json-value';
import { OPERATION_ERROR_CODES } from '../domain/pending-operation';
import type { RenewalInfo } from '../domain/renewal-window';

/**
 * The contract between the issuer job and an issuer (docs/issuers.md). The job calls `start` once per
 * request, then `poll` with the state `start` (or the last `poll`) returned, until the provider answers
 * `issued` or `failed`; `cancel` when the caller asked for cancellation after the provider started. Each call
 * must be idempotent: the job may call it again with the same request and state when it died before
 * recording the answer (a queue is at-least-once). A provider never sleeps: to wait, it answers `pending`
 * with when to look again, and the job comes back through a delayed queue message.
 */
export interface IssuerProvider {
  /** The provider's name as issuer objects spell it (`provider`); compared case-insensitively. */
  readonly name: string;
  start(request: IssuanceRequest): Promise<IssuanceStep>;
  poll(request: IssuanceRequest, state: ProviderState): Promise<IssuanceStep>;
  cancel(request: IssuanceRequest, state: ProviderState): Promise<CancellationStep>;
  /**
   * Why an issuer object naming this provider cannot be used (checked at PUT/PATCH, answered 400), or
   * undefined when it can. Optional: most providers take any object.
   */
  checkIssuerObject?(issuer: IssuerObject): string | undefined;
  /**
   * The window in which the CA suggests renewing a certificate it issued (ACME Renewal Information, RFC 9773),
   * or undefined when the CA offers none. Optional: only a provider whose CA can say implements it.
   */
  renewalInfo?(issuer: IssuerObject | undefined, leafDer: Buffer): Promise<RenewalInfo | undefined>;
}

/** What the job hands a provider on every call: the request as the operation recorded it. */
export interface IssuanceRequest {
  /** The certificate's name as the caller spelled it. */
  name: string;
  /** Identifies this request (and so this operation) for good: a provider may use it as an idempotency key. */
  requestId: string;
  /** The certificate version the request creates. */
  version: string;
  /** The issuer named by the policy: `Self`, or the name of the issuer object below. */
  issuerName: string;
  /** The issuer object, for every issuer but `Self`. Its password stays sealed (IssuerObject.sealedPassword). */
  issuer?: IssuerObject;
  csrDer: Buffer;
  policy: CertificatePolicy;
  /**
   * The tags the new version gets: a CA policy reads its `ca-*` constraints from them (domain/ca-policy.ts).
   * Absent is no tags.
   */
  tags?: Readonly<Record<string, string>>;
  /** The pending key, opened on demand; only the self-signed provider needs it (a CA never sees it). */
  privateKeyPkcs8: () => Buffer;
  publicKeySpki: Buffer;
  now: Date;
  /**
   * For a renewal: the certificate it replaces, by its ACME Renewal Information certID (RFC 9773 §5), which a
   * CA offering ARI is told in newOrder's `replaces`. Other providers ignore it.
   */
  replaces?: string;
}

/**
 * What a provider keeps between calls, stored on the pending operation. `data` is stored as it is (and may
 * be read by an operator looking at storage); `secret` (an ACME account key, a challenge's key
 * authorization) is sealed with the key-encryption key, bound to this one operation, and only ever opened
 * to be handed back to the provider.
 */
export interface ProviderState {
  data: JsonValue;
  secret?: JsonValue;
}

/** The two permanent failures, told apart by the operation's `error.code`. */
export type IssuanceFailureCode = typeof OPERATION_ERROR_CODES.issuerError | typeof OPERATION_ERROR_CODES.rejected;

/** Where a request stands after one call; it tells the job what to do next. */
export type IssuanceStep =
  /** The certificate: leaf and the chain up to (not necessarily including) the root, in any order. */
  /** `parsedChain`: chainDer as parseCertificate describes it, when the provider built it here (Self) and knows. */
  | { kind: 'issued'; chainDer: Buffer[]; parsedChain?: ParsedCertificate[] }
  /**
   * Not yet: keep this state and call `poll` again after `retryAfterSeconds` (whole seconds; 0 = at once, in a
   * message of its own, for a next step that needs no waiting).
   */
  | { kind: 'pending'; state: ProviderState; retryAfterSeconds: number }
  /**
   * For good. `code` says whose failure it is: `CertificateIssuerError` (the issuer cannot issue: misconfigured,
   * unavailable, broke its protocol) or `RequestRejected` (the issuer refused this request: a name it will not
   * certify, a policy it does not allow). `message` is shown to the caller as the operation's error.
   */
  | { kind: 'failed'; code: IssuanceFailureCode; message: string }
  /**
   * A transient failure (the issuer unreachable, busy, timing out): the job retries the same call with
   * backoff, up to its attempt limit. `message` is shown to the caller meanwhile, so it must say what
   * happened in terms they can act on (the issuer's own words, an address that did not answer), never
   * internal detail. `state`, when given, replaces the stored state before the retry.
   */
  | { kind: 'retry'; message: string; state?: ProviderState };

/** What a `cancel` call ends in. */
export type CancellationStep =
  /** Nothing more to stop (or nothing could be): the operation ends `cancelled`. */
  | { kind: 'cancelled' }
  /** The issuer is still winding down: keep this state and call `cancel` again later. */
  | { kind: 'pending'; state: ProviderState; retryAfterSeconds: number }
  /** Transient, as for issuance; when the attempts run out the operation ends `cancelled` all the same. */
  | { kind: 'retry'; message: string; state?: ProviderState };

/** `failed` with the issuer's fault. */
export function issuerFailure(message: string): IssuanceStep {
  return { kind: 'failed', code: OPERATION_ERROR_CODES.issuerError, message };
}

/** `failed` because the issuer refused this request. */
export function requestRejected(message: string): IssuanceStep {
  return { kind: 'failed', code: OPERATION_ERROR_CODES.rejected, message };
}
