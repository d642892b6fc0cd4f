/**
 * What the ACME provider keeps outside one operation (docs/acme.md): its account per issuer and directory, and
 * the HTTP-01 answers the anonymous `/.well-known/acme-challenge/{token}` route serves.
 */

/** One ACME account: its key (sealed with the key-encryption key) and, once registered, its URL. */
export interface AcmeAccountRecord {
  directoryUrl: string;
  sealedAccountKey: string;
  accountUrl?: string;
}

export interface AcmeAccountRepository {
  get(issuerName: string, directoryUrl: string): Promise<AcmeAccountRecord | undefined>;
  /** Stores a new account unless one exists; answers the one stored (the first writer's, after a race). */
  createOnce(issuerName: string, account: AcmeAccountRecord): Promise<AcmeAccountRecord>;
  /** Records the account URL once the directory registered the key. */
  setAccountUrl(issuerName: string, directoryUrl: string, accountUrl: string): Promise<void>;
}

/** Token → key authorization for HTTP-01 (RFC 8555 §8.3). Public by nature: the CA fetches it over plain HTTP. */
export interface Http01AnswerRepository {
  get(token: string): Promise<string | undefined>;
  put(token: string, keyAuthorization: string): Promise<void>;
  /** Idempotent: removing an answer already gone succeeds. */
  remove(token: string): Promise<void>;
}
