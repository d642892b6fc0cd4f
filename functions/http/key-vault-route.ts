import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { type ApiVersion, requireApiVersion } from '../../shared/api/api-version';
import { toErrorResponse } from '../../shared/api/error-response';
import { DEFAULT_MAX_BODY_BYTES, readBodyText, refuseDeclaredOversize } from '../../shared/api/request-body';
import { vaultUrlOf } from '../../shared/api/wire/identifiers';
import { authenticate } from '../../shared/auth/authenticate';
import type { VerifiedCaller } from '../../shared/auth/token-verifier';
import { type App, getApp, getGate } from '../../shared/composition';
import { type Recovery, recoveryOf } from '../../shared/domain/soft-delete';
import { log } from '../logging/log';

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
 * body), then the api-version, then the handler; every failure leaves as Key Vault's error envelope, and
 * every request, 401s included, leaves one log line. Routes use it through registerKeyVaultRoute.
 */
export function keyVaultRoute(handler: RouteHandler, limits: RouteLimits = {}): HttpHandler {
  const maxBodyBytes = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const started = Date.now();
    const response = await answer(handler, maxBodyBytes, request, context);
    logRequest(context, request, response.status ?? 200, Date.now() - started);
    return response;
  };
}

async function answer(handler: RouteHandler, maxBodyBytes: number, request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const requestId = context.invocationId;
  try {
    const gate = getGate();
    const auth = await authenticate(request.headers, gate.verifier, gate.config.auth);
    if (!auth.ok) return json(auth.status, auth.body, { ...auth.headers, 'x-ms-request-id': requestId });
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

/**
 * Method, path (never the query or a header: nothing secret), status, duration, and the request id the caller
 * got in x-ms-request-id, so a support question can be matched to its line.
 */
function logRequest(context: InvocationContext, request: HttpRequest, status: number, ms: number): void {
  const path = new URL(request.url).pathname;
  log(context, status >= 500 ? 'error' : 'info', `${request.method} ${path} ${status} ${ms} ms x-ms-request-id=${context.invocationId}`);
}
