import type { IssuerObject } from '../domain/issuer';
import type { IssuerProvider } from '../issuers/issuer-provider';
import type { ServiceContext } from './service-context';

/** The provider that drives requests for an issuer name, with its issuer object; or why there is none. */
export type IssuerResolution = { provider: IssuerProvider; issuer?: IssuerObject } | { unavailable: string };

/**
 * A policy's issuer name to its provider: a built-in issuer (`Self`) directly, anything else through the
 * issuer object of that name and the provider the object names. The object may have gone or been disabled
 * since the request was made, which fails the request with a message that says so.
 */
export async function resolveIssuer(ctx: Pick<ServiceContext, 'providers' | 'issuers'>, issuerName: string): Promise<IssuerResolution> {
  const builtIn = ctx.providers.forBuiltInIssuer(issuerName);
  if (builtIn) return { provider: builtIn };
  const issuer = await ctx.issuers.get(issuerName);
  if (!issuer) return { unavailable: `The issuer '${issuerName}' no longer exists in this vault.` };
  if (!issuer.enabled) return { unavailable: `The issuer '${issuerName}' is disabled.` };
  const provider = ctx.providers.forIssuerObject(issuer.provider);
  // Only an object written before providers were checked (or under a deployment that had more) gets here.
  if (!provider) return { unavailable: `The issuer provider '${issuer.provider}' of issuer '${issuerName}' is not available in this deployment.` };
  return { provider, issuer };
}
