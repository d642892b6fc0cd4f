import { errors } from '../../shared/api/errors';
import { keyVaultRouteRegistrations } from './register-route';
import { RouteTable, compareRoutePrecedence, parseRouteTemplate } from './route-table';

/**
 * A route whose template is all parameters after a literal (`certificates/{name}/{version?}`) also receives
 * the paths of more specific routes under methods those do not take: `PATCH /certificates/contacts` or
 * `PATCH /certificates/{name}/versions` fail their own route's method constraint and land on it, as the
 * host orders routes. Reading `contacts` as a certificate name would answer a misleading CertificateNotFound;
 * this answers what the catch-all would: 405 with the methods the path does take. Only routes tried before
 * `ownTemplate` count; the catch-all and routes tried after it never sent a request here.
 */
export function refuseOtherRoutesPath(method: string, path: string, ownTemplate: string): void {
  const own = parseRouteTemplate(ownTemplate);
  // Only the routes tried before this one can have sent their path here; `certificates/{name}` (DELETE) is
  // tried after it, and PATCH /certificates/{name} is this route's own (the latest version).
  const others = keyVaultRouteRegistrations()
    .filter((r) => compareRoutePrecedence(parseRouteTemplate(r.route), own) < 0)
    .map((r) => ({ functionName: r.name, template: r.route, methods: r.methods }));
  const match = new RouteTable(others).match(method, path);
  if (match.kind === 'methodNotAllowed') throw errors.methodNotAllowed(method.toUpperCase(), match.allowedMethods);
}
