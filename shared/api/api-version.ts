import { errors } from './errors';

/**
 * Every api-version this service answers, in release order, and what each one means for us.
 *
 * The list is the union of what the official SDKs can be asked for (JS @azure/keyvault-certificates 4.10 and
 * -secrets 4.11 `serviceVersion`, .NET Azure.Security.KeyVault.Certificates 4.10 / .Secrets 4.12
 * `ServiceVersion`, Python azure-keyvault-certificates 4.7 `ApiVersion`, and the keys SDKs that reach a
 * certificate's key: JS @azure/keyvault-keys 4.10 defaults to 2025-07-01 as the others do, Debian's Python
 * azure-keyvault-keys 4.8.0b3 to a preview, below) and that Key Vault itself still serves. Each SDK's default
 * is among them (test/unit/api/sdk-api-versions.test.ts reads the defaults out of the installed packages and
 * fails when one is missing here).
 *
 * We serve one wire for all of them, the newest. The versions differ in operations this service does not
 * implement and in members added over time (e.g. `preserveCertOrder`); a member an older client does not know
 * is one every SDK skips when it deserializes, and we never drop a member a newer client needs. So the version
 * is checked (a typo still gets Key Vault's 400) but never changes a response.
 *
 * Previews (e.g. `7.6-preview.2`, found in the SDKs' generated internals) are left out on purpose: no
 * public client option selects them, and Key Vault retires previews, so a caller sending one is most likely
 * mistaken and is better told so. The one exception is a preview an SDK sends by default: `7.4-preview.1`,
 * which every CryptographyClient and KeyClient of Debian's python3-azure sends unless told otherwise.
 */
const API_VERSIONS = [
  { version: '2016-10-01', note: 'the oldest Key Vault still serves; Python 4.7 can be pinned to it (ApiVersion.V2016_10_01)' },
  { version: '7.0', note: 'the oldest .NET and JS can be pinned to (ServiceVersion.V7_0, serviceVersion "7.0")' },
  { version: '7.1', note: 'selectable in all three SDKs' },
  { version: '7.2', note: 'selectable in all three SDKs' },
  { version: '7.3', note: 'the default of Python azure-keyvault-certificates/-secrets 4.7 (DEFAULT_VERSION)' },
  { version: '7.4-preview.1', note: 'the default of Python azure-keyvault-keys 4.8.0b3 (Debian python3-azure), a beta; the keys routes see it' },
  { version: '7.4', note: 'introduced preserveCertOrder, which we accept and echo whatever the version' },
  { version: '7.5', note: 'selectable in JS and .NET' },
  { version: '7.6', note: 'selectable in JS and .NET' },
  { version: '2025-07-01', note: 'the default of JS @azure/keyvault-certificates 4.10 / -secrets 4.11 (LATEST_API_VERSION)' },
  { version: '2026-04-01', note: 'the default of .NET Azure.Security.KeyVault.Certificates 4.10 / .Secrets 4.12 (LatestVersion)' },
] as const;

export type ApiVersion = (typeof API_VERSIONS)[number]['version'];
export const SUPPORTED_API_VERSIONS: readonly ApiVersion[] = API_VERSIONS.map((entry) => entry.version);
/** Named in the refusal of an unknown version, as Key Vault names its newest. */
export const LATEST_API_VERSION: ApiVersion = '2026-04-01';

export function isSupportedApiVersion(value: string): value is ApiVersion {
  return (SUPPORTED_API_VERSIONS as readonly string[]).includes(value);
}

/**
 * The SDK sends the key percent-encoded (`api%2Dversion`); URLSearchParams decodes names, so the plain
 * lookup finds it either way.
 */
export function requireApiVersion(query: URLSearchParams): ApiVersion {
  const requested = query.get('api-version');
  if (requested === null || requested === '') throw errors.missingApiVersion();
  if (!isSupportedApiVersion(requested)) throw errors.unsupportedApiVersion(requested, LATEST_API_VERSION);
  return requested;
}
