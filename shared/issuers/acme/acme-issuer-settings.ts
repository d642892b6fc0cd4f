import { openPrivateKey } from '../../crypto/key-encryption';
import type { IssuerObject } from '../../domain/issuer';

/**
 * How an issuer object with provider `ACME` says where and as whom to order (docs/acme.md):
 * - `credentials.account_id`: the ACME directory URL (https), e.g. https://acme-v02.api.letsencrypt.org/directory;
 * - `org_details.id` + `credentials.pwd`: the external account binding's key id and HMAC key (base64url, as CAs
 *   hand it out), both or neither. The HMAC key is the one secret, so it goes where Key Vault keeps the issuer's
 *   password, sealed at rest and never shown back.
 * Key Vault's own fields, so an issuer object is written with any SDK's createIssuer.
 */
export interface AcmeIssuerSettings {
  directoryUrl: string;
  externalAccountBinding?: { kid: string; hmacKey: string };
}

/** Why this issuer object cannot name an ACME directory, or undefined when it can (checked at PUT/PATCH). */
export function acmeIssuerProblem(issuer: Pick<IssuerObject, 'accountId' | 'organizationId' | 'sealedPassword'>): string | undefined {
  const directory = issuer.accountId?.trim();
  if (!directory) {
    return "An ACME issuer needs its directory URL in credentials.account_id (e.g. 'https://acme-v02.api.letsencrypt.org/directory').";
  }
  let url: URL;
  try {
    url = new URL(directory);
  } catch {
    return `credentials.account_id of an ACME issuer must be the directory URL; '${directory}' is not a URL.`;
  }
  if (url.protocol !== 'https:') return `The ACME directory URL must use https (RFC 8555 §6.1); got '${directory}'.`;
  const hasKeyId = Boolean(issuer.organizationId?.trim());
  if (hasKeyId !== Boolean(issuer.sealedPassword)) {
    return 'External account binding needs both the key id (org_details.id) and the HMAC key (credentials.pwd); give both or neither.';
  }
  return undefined;
}

/** The settings of a valid ACME issuer object, its HMAC key opened (`passwordBinding` is what it was sealed with). */
export function acmeIssuerSettings(issuer: IssuerObject, keyEncryptionKey: Buffer, passwordBinding: string): AcmeIssuerSettings {
  const problem = acmeIssuerProblem(issuer);
  if (problem) throw new AcmeIssuerMisconfigured(problem);
  const directoryUrl = (issuer.accountId ?? '').trim();
  const kid = issuer.organizationId?.trim();
  if (!kid || !issuer.sealedPassword) return { directoryUrl };
  const hmacKey = openPrivateKey(keyEncryptionKey, issuer.sealedPassword, passwordBinding).toString('utf8').trim();
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(hmacKey)) {
    throw new AcmeIssuerMisconfigured('The external account binding HMAC key (credentials.pwd) must be base64url, as the CA hands it out.');
  }
  return { directoryUrl, externalAccountBinding: { kid, hmacKey } };
}

/** The issuer object cannot be used as it stands: the request fails with CertificateIssuerError. */
export class AcmeIssuerMisconfigured extends Error {}
