import { app, type HttpMethod } from '@azure/functions';
import type { RoutePermission } from '../../shared/auth/permissions';
import { type RouteHandler, type RouteLimits, keyVaultRoute } from './key-vault-route';

/** One HTTP operation of the service, as registered with the Functions host. */
export interface KeyVaultRouteRegistration {
  /** The function name (unique in the app; the host's log scope). */
  readonly name: string;
  /** The route template, without the host's route prefix (host.json sets none). */
  readonly route: string;
  readonly methods: readonly HttpMethod[];
  /** What the caller must be allowed (enforced by keyVaultRoute: the token's roles, shared/auth/roles.ts). */
  readonly permission: RoutePermission;
}

interface KeyVaultRouteDefinition extends RouteLimits {
  route: string;
  methods: readonly HttpMethod[];
  permission: RoutePermission;
  handler: RouteHandler;
}

const registrations = new Map<string, KeyVaultRouteRegistration>();

/**
 * The only way the app registers an HTTP function: the handler always runs behind keyVaultRoute
 * (authentication first, api-version, Key Vault's error envelope, one log line), and the registration is
 * recorded here so tests and the catch-all can list every route with the permission it needs.
 */
export function registerKeyVaultRoute(name: string, definition: KeyVaultRouteDefinition): void {
  app.http(name, {
    route: definition.route,
    methods: [...definition.methods],
    // Tokens are validated in the app (Key Vault's bearer challenge), not by function keys.
    authLevel: 'anonymous',
    handler: keyVaultRoute(definition.handler, definition.permission, definition),
  });
  registrations.set(name.toLowerCase(), { name, route: definition.route, methods: [...definition.methods], permission: definition.permission });
}

/** Every route registered through registerKeyVaultRoute in this process, in registration order. */
export function keyVaultRouteRegistrations(): readonly KeyVaultRouteRegistration[] {
  return [...registrations.values()];
}
