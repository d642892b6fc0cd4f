import { SELF_ISSUER } from '../domain/certificate-policy';
import type { IssuerObject } from '../domain/issuer';
import { OPERATION_ERROR_CODES } from '../domain/pending-operation';
import type { IssuanceStep, IssuerProvider } from './issuer-provider';
import { selfSignedProvider } from './self-signed-provider';
import { testProvider } from './test-provider';

/** Looks up the provider that drives an operation; an unknown provider fails the job with a clear error. */
export type IssuerProviders = (issuerName: string, issuer: IssuerObject | undefined) => IssuerProvider;

function failing(message: string): IssuerProvider {
  return { advance: async (): Promise<IssuanceStep> => ({ kind: 'failed', code: OPERATION_ERROR_CODES.issuerError, message }) };
}

const byProvider: Readonly<Record<string, IssuerProvider>> = { test: testProvider };

export const defaultIssuerProviders: IssuerProviders = (issuerName, issuer) => {
  if (issuerName === SELF_ISSUER) return selfSignedProvider;
  if (!issuer) return failing(`The issuer '${issuerName}' no longer exists in this vault.`);
  if (!issuer.enabled) return failing(`The issuer '${issuerName}' is disabled.`);
  return (
    byProvider[issuer.provider.toLowerCase()] ??
    failing(`The issuer provider '${issuer.provider}' of issuer '${issuerName}' is not available in this deployment.`)
  );
};
