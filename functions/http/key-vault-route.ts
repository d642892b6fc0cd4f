import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { type ApiVersion, requireApiVersion } from '../../shared/api/api-version';
import { toErrorResponse } from '../../shared/api/error-response';
import { DEFAULT_MAX_BODY_BYTES, readBodyText, refuseDeclaredOversize } from '../../shared/api/request-body';
import { vaultUrlOf } from '../../shared/api/wire/identifiers';
import { authenticate } from '../../shared/auth/authenticate';
import { authorize } from '../../shared/auth/authorize';
import type { RoutePermission } from '../../shared/auth/permissions';
import type { VerifiedCaller } from '../../shared/auth/token-verifier';
import { type App, getApp, getGate } from '../../shared/composition';
import { type Recovery, recoveryOf } from '../../shared/domain/soft-delete';
import { type AuditFacts, auditRecordOf, writeAudit } from './audit';

/**
 * The parts of the request a handler reads. Not its body: that comes through `readBody()`, which is bounded by
 * the route's limit, so no handler can read an unbounded body by mistake.
 */
export type RouteHttpRequest = Pick<HttpRequest, 'method' | 'url' | 'headers' | 'query' | 'params'>;

/** What a route handler gets once the request is authenticated and its api-version accepted. */
export interface RouteRequest {
  app: App;
  request: RouteHttpRequest;
  /** The body as text, read up to the route's limit (413 past it); call it at most once. */
  readBody: () => Promise<string>;
  context: InvocationContext;
  caller: VerifiedCaller;
  apiVersion: ApiVersion;
  /**
   * The vault URL the ids, Location and target in responses are built on: the configured public base URL
   * (PUBLIC_BASE_URL, or the Function App's own host name in Azure), never the caller's Host header; without
   * either, the origin of the server the request reached (https when it came over TLS).
   */
  vault: string;
  /** The recovery level and days every object's attributes show, from the vault's soft-delete retention. */
  recovery: Recovery;
}

export type RouteHandler = (req: RouteRequest) => Promise<HttpResponseInit>;

/** What a route may set about its requests beyond the handler. */
export interface RouteLimits {
  /** The largest body the route reads, in bytes (default DEFAULT_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'x-ms-keyvault-service-version': '1.0', ...headers } };
}

/**
 * Wraps a route: authenticate before anything else (the SDK's first request carries neither token nor
 * body), then authorize the caller for the route's permission (403 ForbiddenByRbac), then the api-version,
 * then the handler; every failure leaves as Key Vault's error envelope, and every request, 401s and 403s
 * included, leaves one audit record (./audit.ts). Routes use it through registerKeyVaultRoute.
 */
export function keyVaultRoute(handler: RouteHandler, permission: RoutePermission, limits: RouteLimits = {}): HttpHandler {
  const maxBodyBytes = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const started = Date.now();
    const facts: AuditFacts = {};
    const response = await answer(handler, permission, maxBodyBytes, request, context, facts);
    writeAudit(context, auditRecordOf(request, context, permission, facts, response.status ?? 200, Date.now() - started));
    return response;
  };
}

async function answer(
  handler: RouteHandler,
  permission: RoutePermission,
  maxBodyBytes: number,
  request: HttpRequest,
  context: InvocationContext,
  facts: AuditFacts,
): Promise<HttpResponseInit> {
  const requestId = context.invocationId;
  try {
    const gate = getGate();
    const auth = await authenticate(request.headers, gate.verifier, gate.config.auth);
    if (!auth.ok) {
      if (auth.status === 401) facts.authenticationFailure = auth.reason;
      return json(auth.status, auth.body, { ...auth.headers, 'x-ms-request-id': requestId });
    }
    facts.caller = auth.caller;
    authorize(auth.caller, permission, gate.config.authorizationMode, new URL(request.url).pathname);
    // Before any work: a body declared too large is refused unread (one sent chunked is bounded as it is read).
    refuseDeclaredOversize(request.headers, maxBodyBytes);
    const apiVersion = requireApiVersion(request.query);
    const app = await getApp();
    const response = await handler({
      app,
      request,
      readBody: () => readBodyText(request.body, maxBodyBytes),
      context,
      caller: auth.caller,
      apiVersion,
      vault: app.config.publicBaseUrl ?? vaultUrlOf(request.url, request.headers),
      recovery: recoveryOf(app.config.softDeleteRetentionDays),
    });
    return { ...response, headers: { ...(response.headers as Record<string, string> | undefined), 'x-ms-request-id': requestId } };
  } catch (error) {
    const mapped = toErrorResponse(error);
    if (mapped.unexpected !== undefined) context.error(`Unexpected failure of ${context.functionName}`, mapped.unexpected);
    return json(mapped.status, mapped.body, { ...mapped.headers, 'x-ms-request-id': requestId });
  }
}
