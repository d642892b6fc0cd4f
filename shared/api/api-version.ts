import { errors } from './errors';

/** The versions the official SDKs send (`serviceVersion` of @azure/keyvault-certificates 4.10). */
export const SUPPORTED_API_VERSIONS = ['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01'] as const;
export type ApiVersion = (typeof SUPPORTED_API_VERSIONS)[number];
export const LATEST_API_VERSION: ApiVersion = '2025-07-01';

/**
 * The SDK sends the key percent-encoded (`api%2Dversion`); URLSearchParams decodes names, so the plain
 * lookup finds it either way.
 */
export function requireApiVersion(query: URLSearchParams): ApiVersion {
  const requested = query.get('api-version');
  if (requested === null || requested === '') throw errors.missingApiVersion();
  const known = SUPPORTED_API_VERSIONS.find((v) => v === requested);
  if (!known) throw errors.unsupportedApiVersion(requested, LATEST_API_VERSION);
  return known;
}
