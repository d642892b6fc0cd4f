import { type IssuerProvider, issuerFailure } from './issuer-provider';

/**
 * A provider Key Vault knows (DigiCert, GlobalSign) but this deployment cannot reach: an issuer object may
 * name it, as on Key Vault, so configurations written for Key Vault load unchanged; a certificate that uses
 * it fails at once with an issuer error that says why.
 */
export function unavailableProvider(name: string): IssuerProvider {
  const unavailable = (issuerName: string) =>
    issuerFailure(`The issuer provider '${name}' of issuer '${issuerName}' is not available in this deployment.`);
  return {
    name,
    async start(request) {
      return unavailable(request.issuerName);
    },
    async poll(request) {
      return unavailable(request.issuerName);
    },
    async cancel() {
      return { kind: 'cancelled' };
    },
  };
}
