import type { IssuerProvider } from './issuer-provider';

/**
 * The issuer providers a deployment has, keyed by name (case-insensitive), built once by the composition
 * root with their dependencies. Three kinds:
 * - built-in issuers, named directly by a policy with no issuer object (`Self`);
 * - providers an issuer object may name and that issue here (`Test`, and what a deployment adds);
 * - providers Key Vault knows that this deployment cannot reach (DigiCert, GlobalSign): accepted on issuer
 *   objects, failing the certificates that use them with a clear error.
 * Any other provider on an issuer object is refused when the object is written.
 */
export class ProviderRegistry {
  private readonly builtIn: ReadonlyMap<string, IssuerProvider>;
  private readonly named: ReadonlyMap<string, IssuerProvider>;

  constructor(
    providers: { builtInIssuers: readonly IssuerProvider[]; available: readonly IssuerProvider[]; unavailable: readonly IssuerProvider[] },
  ) {
    this.builtIn = byLowerCaseName(providers.builtInIssuers);
    this.named = byLowerCaseName([...providers.available, ...providers.unavailable]);
    this.availableNames = providers.available.map((p) => p.name);
    this.unavailableNames = providers.unavailable.map((p) => p.name);
  }

  /** Providers an issuer object may name that issue here, as they are spelled. */
  readonly availableNames: readonly string[];
  /** Providers an issuer object may name that cannot issue here. */
  readonly unavailableNames: readonly string[];

  /** The provider behind a built-in issuer name (a policy's `issuer.name` that needs no issuer object). */
  forBuiltInIssuer(issuerName: string): IssuerProvider | undefined {
    return this.builtIn.get(issuerName.toLowerCase());
  }

  /** The provider an issuer object names, or undefined when this deployment does not know it. */
  forIssuerObject(providerName: string): IssuerProvider | undefined {
    return this.named.get(providerName.toLowerCase());
  }

  /** What to tell a caller whose issuer object names a provider this deployment does not know. */
  unknownProviderMessage(providerName: string): string {
    const unavailable = this.unavailableNames.length
      ? ` ${this.unavailableNames.join(' and ')} ${this.unavailableNames.length === 1 ? 'is' : 'are'} accepted, as on Key Vault, but cannot issue here.`
      : '';
    return `The issuer provider '${providerName}' is not known to this deployment. Known providers: ${this.availableNames.join(', ')}.${unavailable}`;
  }
}

function byLowerCaseName(providers: readonly IssuerProvider[]): ReadonlyMap<string, IssuerProvider> {
  const map = new Map<string, IssuerProvider>();
  for (const provider of providers) {
    const key = provider.name.toLowerCase();
    if (map.has(key)) throw new Error(`Two issuer providers are named '${provider.name}'`);
    map.set(key, provider);
  }
  return map;
}
