import { KeyDecryptionError, openPrivateKey } from '../crypto/key-encryption';
import { profileOfPolicy } from '../crypto/profile-of-policy';
import { CaSigningError, signCsrWithCa } from '../crypto/sign-csr-with-ca';
import type { CertificateVersion } from '../domain/certificate-version';
import type { IssuerObject } from '../domain/issuer';
import { ValidationError } from '../domain/validation-error';
import { keyBinding } from '../services/new-version';
import type { CertificateRepository } from '../storage/repositories';
import { type IssuanceRequest, type IssuanceStep, type IssuerProvider, issuerFailure, requestRejected } from './issuer-provider';

/** The provider name issuer objects use for a CA held in this vault (docs/private-ca.md). */
export const PRIVATE_CA_PROVIDER = 'PrivateCA';

/** `account_id`: a certificate name (Key Vault's 1–127 letters, digits, dashes), optionally `/version`. */
const CA_REFERENCE = /^([0-9a-zA-Z-]{1,127})(?:\/([0-9a-zA-Z]{1,64}))?$/;

export interface PrivateCaDependencies {
  certificates: CertificateRepository;
  keyEncryptionKey: Buffer;
}

/**
 * What is wrong with a PrivateCA issuer object's credentials, as a sentence for a 400; undefined when
 * nothing is. Only the shape is checked: the CA may be created after the issuer, so whether it exists, is
 * enabled and is a CA is checked when a certificate is signed.
 */
/** Why an issuer object cannot name a CA here (answered 400 at PUT/PATCH), or undefined when it can. */
export function privateCaIssuerProblem(issuer: Pick<IssuerObject, 'accountId' | 'sealedPassword'>): string | undefined {
  if (issuer.sealedPassword !== undefined) {
    return `Issuer provider ${PRIVATE_CA_PROVIDER} takes no credentials.pwd: the CA's key is already sealed in this vault, so there is no secret to give. Remove pwd.`;
  }
  if (issuer.accountId === undefined || issuer.accountId === '') {
    return `Issuer provider ${PRIVATE_CA_PROVIDER} needs credentials.account_id: the name of the CA certificate in this vault (e.g. corp-root), optionally with /<version> to pin one version.`;
  }
  if (!CA_REFERENCE.test(issuer.accountId)) {
    return `credentials.account_id '${issuer.accountId}' is not a certificate name (1-127 letters, digits and dashes), optionally followed by /<version>.`;
  }
  return undefined;
}

/**
 * Provider `PrivateCA`: signs with a CA certificate of this vault, named by the issuer's `account_id`. The
 * signature happens in `start`, so there is never state to poll or an issuer to stop; signing again gives
 * another certificate for the same key and policy, which makes a repeated call harmless. The CA's key is
 * opened for the one signature and never leaves this call.
 */
export function privateCaProvider(deps: PrivateCaDependencies): IssuerProvider {
  return {
    name: PRIVATE_CA_PROVIDER,
    checkIssuerObject: privateCaIssuerProblem,
    async start(request: IssuanceRequest): Promise<IssuanceStep> {
      const found = await loadCa(deps, request);
      if ('failure' in found) return found.failure;
      const { ca, label } = found;

      let privateKeyPkcs8: Buffer;
      try {
        privateKeyPkcs8 = openPrivateKey(deps.keyEncryptionKey, ca.sealedPrivateKey as string, keyBinding(ca.name, ca.version));
      } catch (error) {
        if (error instanceof KeyDecryptionError) return issuerFailure(`${label} has a key that cannot be opened with this deployment's key-encryption key.`);
        throw error;
      }

      try {
        const signed = await signCsrWithCa({
          ca: { chainDer: ca.chain.map((c) => Buffer.from(c, 'base64')), privateKeyPkcs8 },
          csrDer: request.csrDer,
          profile: profileOfPolicy(request.policy, request.tags ?? {}),
          validityMonths: request.policy.validityMonths,
          now: request.now,
        });
        return { kind: 'issued', chainDer: signed.chainDer };
      } catch (error) {
        // The CA's own words name the CA by subject and the reason; the label adds which certificate of this vault it is.
        if (error instanceof CaSigningError) {
          return error.fault === 'request' ? requestRejected(error.message) : issuerFailure(`${label} cannot sign: ${error.message}`);
        }
        // A malformed ca-* tag (checked at create; only a tag changed by hand in storage gets here).
        if (error instanceof ValidationError) return requestRejected(error.message);
        throw error;
      } finally {
        privateKeyPkcs8.fill(0);
      }
    },
    // A state can only come from start, which never leaves one; signing again is the idempotent answer.
    poll(request) {
      return this.start(request);
    },
    async cancel() {
      return { kind: 'cancelled' };
    },
  };
}

type LoadedCa = { ca: CertificateVersion & { sealedPrivateKey: string }; label: string } | { failure: IssuanceStep };

/**
 * The CA version the issuer names, checked to be one that can sign today: it exists and is not deleted,
 * is enabled, is within its validity, and has its key in this vault. Whether it is a CA at all (CA:TRUE,
 * keyCertSign) and the CAs above it are valid is signCsrWithCa's to check, with the certificate in hand.
 */
async function loadCa(deps: PrivateCaDependencies, request: IssuanceRequest): Promise<LoadedCa> {
  const issuer = request.issuer as IssuerObject;
  const reference = CA_REFERENCE.exec(issuer.accountId ?? '');
  if (!reference) {
    return { failure: issuerFailure(`The issuer '${issuer.name}' names no CA certificate: its credentials.account_id '${issuer.accountId ?? ''}' is not a certificate name.`) };
  }
  const [, caName = '', pinned] = reference;
  const label = `The CA certificate '${issuer.accountId}' of issuer '${issuer.name}'`;
  const missing = { failure: issuerFailure(`${label} does not exist in this vault.`) };

  const head = await deps.certificates.getHead(caName);
  if (!head || head.deletion) return missing;
  const version = await deps.certificates.getVersion(caName, pinned ?? head.latestVersion);
  if (!version) return missing;

  const now = request.now.getTime() / 1000;
  if (!version.enabled) return { failure: issuerFailure(`${label} is disabled.`) };
  if (now > version.expires) return { failure: issuerFailure(`${label} expired on ${new Date(version.expires * 1000).toISOString()}.`) };
  if (now < version.notBefore) return { failure: issuerFailure(`${label} is not valid before ${new Date(version.notBefore * 1000).toISOString()}.`) };
  if (!version.sealedPrivateKey) return { failure: issuerFailure(`${label} has no private key in this vault (it was imported without one), so it cannot sign.`) };
  return { ca: { ...version, sealedPrivateKey: version.sealedPrivateKey }, label };
}
