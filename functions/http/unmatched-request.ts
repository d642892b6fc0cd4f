import { errors } from '../../shared/api/errors';
import type { KeyVaultError } from '../../shared/api/key-vault-error';
import { type RouteDefinition, RouteTable } from './route-table';

/**
 * The refusal for a request no operation took: 405 when the path is one the app serves under other methods,
 * 404 naming the path otherwise. `routes` are the app's own registrations (the catch-all left out), matched
 * with the host's own rules, so the answer can never disagree with the routing that sent the request here.
 */
export function refuseUnmatchedRequest(method: string, path: string, routes: readonly RouteDefinition[]): KeyVaultError {
  // Key Vault reads repeated slashes as one: its recorded answer to POST /certificates//create (an empty name)
  // is 405 "HTTP POST not allowed", which is what /certificates/create gets, since certificates/{name} takes no POST.
  const collapsed = path.replace(/\/{2,}/g, '/');
  const match = new RouteTable(routes).match(method, collapsed);
  if (match.kind === 'methodNotAllowed') return errors.methodNotAllowed(method.toUpperCase(), match.allowedMethods);
  return errors.unknownPath(path);
}
