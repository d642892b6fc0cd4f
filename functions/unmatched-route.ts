import type { HttpMethod } from '@azure/functions';
import { ANY_AUTHENTICATED_CALLER } from '../shared/auth/permissions';
import type { RouteHandler } from './http/key-vault-route';
import { keyVaultRouteRegistrations, registerKeyVaultRoute } from './http/register-route';
import { refuseUnmatchedRequest } from './http/unmatched-request';

/**
 * Every path and method no other function takes. Without it the host itself would answer 404 (and locally
 * 405) before any code of ours ran: no bearer challenge for an unauthenticated caller, and no Key Vault
 * envelope. `{*path}` begins with a parameter, so the host's route order puts it after every route of the app
 * (they all begin with a literal); and a known path under a wrong method fails the other route's method
 * constraint and lands here too, where it gets the 405. Authentication comes first, as on every route.
 */
const NAME = 'unmatchedRoute';

/** Every method a request to a path can have (the worker's fetch-based request refuses TRACE, and CONNECT names a host). */
const EVERY_METHOD: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const unmatchedRoute: RouteHandler = async ({ request }) => {
  const routes = keyVaultRouteRegistrations()
    .filter((registration) => registration.name !== NAME)
    .map((registration) => ({ functionName: registration.name, template: registration.route, methods: registration.methods }));
  // host.json sets no route prefix, so the URL path is what the templates describe.
  throw refuseUnmatchedRequest(request.method, new URL(request.url).pathname, routes);
};

registerKeyVaultRoute(NAME, {
  route: '{*path}',
  methods: EVERY_METHOD,
  permission: ANY_AUTHENTICATED_CALLER,
  handler: unmatchedRoute,
});
