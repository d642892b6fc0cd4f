import type { CertificatePolicy } from '../domain/certificate-policy';
import type { IssuerObject } from '../domain/issuer';

/** What an issuer job hands a provider: the request to advance by one step. */
export interface IssuanceRequest {
  name: string;
  requestId: string;
  csrDer: Buffer;
  policy: CertificatePolicy;
  /** The pending key; only the self-signed provider needs it (a CA never sees it). */
  privateKeyPkcs8: () => Buffer;
  publicKeySpki: Buffer;
  issuer?: IssuerObject;
  now: Date;
}

/** Where a request stands after one step with its provider. */
export type IssuanceStep =
  | { kind: 'issued'; chainDer: Buffer[] }
  | { kind: 'pending' }
  | { kind: 'failed'; code: string; message: string };

/** One provider per file; a job drives each operation with one of these until it leaves `pending`. */
export interface IssuerProvider {
  advance(request: IssuanceRequest): Promise<IssuanceStep>;
}
