import { KeyVaultError } from '../api/key-vault-error';
import type { CertificatePolicy } from '../domain/certificate-policy';
import { OPERATION_ERROR_CODES } from '../domain/pending-operation';
import { resolveIssuer } from './issuer-resolution';
import type { ServiceContext } from './service-context';

/**
 * Before AutoRenew starts a new version: can the policy's issuer issue it here? Key Vault's partner CAs
 * (DigiCert, GlobalSign) may be named by issuer objects, so configurations written for Key Vault load
 * unchanged, but this service cannot reach them; an issuer object may also have been deleted or disabled
 * since the policy named it. Starting a renewal then only makes a failed operation in place of the completed
 * one at every retry, and tells the owner nothing. Refusing here instead makes the sweep raise
 * CertificateRenewalFailed with this message and retry with its backoff (up to every 32 h), so the renewal
 * goes through at the first retry after the issuer is fixed. Writing such a policy is not refused: Key Vault
 * accepts it, and the issuer object can change after the policy is written anyway.
 *
 * Throws a KeyVaultError with the code a failed issuance has (CertificateIssuerError); the message is for the
 * certificate's owner. Costs one issuer read (none for Self).
 */
export async function assertIssuerCanRenew(ctx: Pick<ServiceContext, 'providers' | 'issuers'>, policy: CertificatePolicy): Promise<void> {
  const issuerName = policy.issuer.name;
  const resolved = await resolveIssuer(ctx, issuerName);
  const refusal = (message: string) => new KeyVaultError(400, OPERATION_ERROR_CODES.issuerError, message);
  if ('unavailable' in resolved) throw refusal(`${resolved.unavailable} AutoRenew cannot renew the certificate until the policy names an issuer that can issue it.`);
  const provider = resolved.provider.name.toLowerCase();
  if (ctx.providers.unavailableNames.some((name) => name.toLowerCase() === provider)) {
    throw refusal(
      `The issuer '${issuerName}' uses the provider '${resolved.provider.name}', which cannot issue certificates in this deployment, so AutoRenew cannot renew the certificate. ` +
        'Point the policy at an issuer that can (Self, PrivateCA, ACME), or renew it by hand (import or merge) and set its lifetime action to EmailContacts.',
    );
  }
}
