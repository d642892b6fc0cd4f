import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { HttpRequest, HttpResponse, type Cookie, type HttpRequestInit, type HttpResponseInit } from '@azure/functions';
import type { RegisteredFunction } from './functions-core';
import { describeError, invokeFunction } from './invoke';
import { RouteTable } from '../../functions/http/route-table';

/**
 * The HTTP(S) front of the local host: matches a request against the route table, hands the function the same
 * `HttpRequest` the Node worker would build, and writes back whatever `HttpResponse`/`HttpResponseInit` it
 * returns. Errors outside the function (no route, wrong method, a throwing handler) answer in Key Vault's
 * error shape, since that is what this app's clients parse.
 */

export interface HttpServerOptions {
  routes: RouteTable;
  /** Registrations by function name, for the handlers the routes point at. */
  functions: ReadonlyMap<string, RegisteredFunction>;
  /** 0 picks a free port. */
  port: number;
  hostname: string;
  log: (line: string) => void;
  /** Serve HTTPS with this key and certificate instead of plain HTTP. */
  tls?: TlsCredentials;
  /** The largest request body the host lets through (default DEFAULT_MAX_REQUEST_BODY_BYTES). */
  maxRequestBodyBytes?: number;
}

/** What Node's TLS needs to serve: PEM text in memory (the key never has to be on disk in the clear). */
export interface TlsCredentials {
  key: string;
  cert: string;
}

export interface RunningHttpServer {
  readonly port: number;
  readonly scheme: 'http' | 'https';
  /** HTTPS only: new connections get these credentials; open ones keep theirs (a renewed certificate, no restart). */
  setTlsCredentials(credentials: TlsCredentials): void;
  stop(): Promise<void>;
}

/** The listen() failure of a taken port, named so `npm start` can say which setting to change. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly scheme: 'http' | 'https',
    readonly port: number,
    readonly hostname: string,
  ) {
    super(`The ${scheme.toUpperCase()} port ${port} on ${hostname} is already in use.`);
  }
}

/**
 * The Functions host's own request limit (`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`, 100 MB unless set): a body
 * declared larger is refused before any function runs, and one that grows past it while streaming fails.
 */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 104_857_600;
const STOP_GRACE_MS = 5_000;
const NO_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);

class RequestTooLargeError extends Error {}

/**
 * The request body as a pull stream, as the Node worker hands it over with HTTP streaming: nothing is read
 * from the socket until the function reads, and then only what it asks for (one chunk per pull). A function
 * that answers without reading (a 401) therefore never makes the host hold the body; TCP back-pressure keeps
 * the rest in the client until the host drains it (drainUnreadBody). No listener stays on `req` between
 * pulls, so draining can take over at any point.
 */
function bodyStreamOf(req: IncomingMessage, maxBytes: number): ReadableStream<Uint8Array> {
  let size = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull: (controller) =>
        new Promise<void>((resolve) => {
          const settle = (outcome: () => void) => {
            req.off('readable', onReadable);
            req.off('end', onEnd);
            req.off('error', onError);
            req.off('close', onClose);
            outcome();
            resolve();
          };
          const onReadable = () => {
            const chunk = req.read() as Buffer | null;
            if (chunk === null) return; // the end: 'end' comes next
            size += chunk.length;
            if (size > maxBytes) settle(() => controller.error(new RequestTooLargeError()));
            else settle(() => controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
          };
          const onEnd = () => settle(() => controller.close());
          const onError = (error: Error) => settle(() => controller.error(error));
          const onClose = () => {
            if (!req.complete) settle(() => controller.error(new Error('The client went away before sending the whole body.')));
          };
          if (req.readableEnded) {
            settle(() => controller.close());
            return;
          }
          req.on('readable', onReadable);
          req.once('end', onEnd);
          req.once('error', onError);
          req.once('close', onClose);
        }),
    },
    { highWaterMark: 0 },
  );
}

/**
 * Once the response is out, whatever the function left unread is read and dropped (never kept), so the
 * client sees its answer and the connection stays usable; a client that keeps sending past the host's limit
 * has its connection closed. Closing at once instead could reset the connection before the client has read
 * the answer.
 */
function drainUnreadBody(req: IncomingMessage, maxBytes: number): void {
  if (req.complete || req.destroyed) return;
  let dropped = 0;
  req.removeAllListeners('readable');
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > maxBytes) req.socket.destroy();
  });
  req.resume();
}

/** Node joins repeated request headers for us except a few; the host hands functions one string per name. */
function requestHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headersDistinct)) {
    if (value) headers[name] = value.join(', ');
  }
  return headers;
}

/** The host gives functions one value per query key, repeated keys joined with commas (ASP.NET's StringValues). */
function queryRecord(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  return query;
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

function sendError(res: ServerResponse, status: number, code: string, message: string, extraHeaders: Record<string, string> = {}): void {
  const body = errorBody(code, message);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...extraHeaders });
  res.end(body);
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

/** What the worker accepts as an HTTP result: an HttpResponse, or an init object it wraps in one. */
function toHttpResponse(result: unknown): HttpResponse | undefined {
  if (result === undefined || result === null) return undefined;
  if (result instanceof HttpResponse) return result;
  if (typeof result !== 'object') {
    throw new Error('The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  }
  return new HttpResponse(result as HttpResponseInit);
}

async function writeResponse(res: ServerResponse, method: string, response: HttpResponse | undefined): Promise<void> {
  // A function that returns nothing answers an empty success.
  if (!response) {
    res.writeHead(204);
    res.end();
    return;
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const setCookies = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  if (setCookies.length > 0) headers['set-cookie'] = setCookies;

  const hasBody = !NO_BODY_STATUSES.has(response.status);
  const body = hasBody ? Buffer.from(await response.arrayBuffer()) : Buffer.alloc(0);
  if (hasBody) headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(method === 'HEAD' || !hasBody ? undefined : body);
}

/**
 * This server's own origin for a request: the interface it listens on (or, when it listens on all of them,
 * the address the connection came in on) and the port.
 */
function ownOrigin(scheme: 'http' | 'https', hostname: string, req: IncomingMessage): string {
  const wildcard = hostname === '0.0.0.0' || hostname === '::' || hostname === '';
  const address = wildcard ? (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '') : hostname;
  return `${scheme}://${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort ?? 0}`;
}

async function handle(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const rawUrl = req.url ?? '/';
  // Functions build ids from the request URL, so a request that came over TLS must read https, as it does in Azure.
  const scheme = (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
  let url: URL;
  try {
    // The origin is the one this server listens on, never the caller's Host header (nor an absolute-form
    // target's host): in Azure the front end only lets through host names bound to the app, but here nothing
    // vets Host, and ids, Location and nextLink built from it would send an SDK (and its token) elsewhere.
    const target = /^https?:\/\//i.test(rawUrl) ? new URL(rawUrl) : new URL(rawUrl, 'http://target.invalid');
    url = new URL(`${target.pathname}${target.search}`, ownOrigin(scheme, options.hostname, req));
  } catch {
    sendError(res, 400, 'BadParameter', 'The request URL is malformed.');
    return;
  }

  const match = options.routes.match(method, url.pathname);
  if (match.kind === 'notFound') {
    sendError(res, 404, 'NotFound', `No resource matches ${url.pathname}.`);
    return;
  }
  if (match.kind === 'methodNotAllowed') {
    sendError(res, 405, 'MethodNotAllowed', `HTTP ${method} not allowed`, { allow: match.allowedMethods.join(', ') });
    return;
  }
  const fn = options.functions.get(match.route.functionName);
  if (!fn) {
    sendError(res, 500, 'InternalError', `Function ${match.route.functionName} is not registered.`);
    return;
  }

  const maxBodyBytes = options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES;
  res.once('finish', () => drainUnreadBody(req, maxBodyBytes));
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) {
    sendError(res, 413, 'RequestBodyTooLarge', `The request body is larger than the host's limit of ${maxBodyBytes} bytes.`);
    return;
  }

  const hasBody = method !== 'GET' && method !== 'HEAD';
  const nativeRequest = new Request(url.toString(), {
    method,
    headers: requestHeaders(req),
    ...(hasBody ? { body: bodyStreamOf(req, maxBodyBytes), duplex: 'half' } : {}),
  } as RequestInit);
  // `nativeRequest` is how the worker itself builds a streamed request (createStreamRequest in
  // @azure/functions); the public init type only knows buffered bodies.
  const request = new HttpRequest({ nativeRequest, query: queryRecord(url), params: { ...match.params } } as HttpRequestInit);

  let result: unknown;
  try {
    reachedFunction.add(res);
    result = (await invokeFunction({ fn, input: request, log: options.log, reason: `HTTP ${method} ${url.pathname}` })).result;
  } catch {
    // The invocation log already holds the stack; the client gets no internals.
    sendError(res, 500, 'InternalError', `The function ${fn.metadata.name} failed; see the host log.`);
    return;
  }
  try {
    await writeResponse(res, method, toHttpResponse(result));
  } catch (error) {
    options.log(`${fn.metadata.name}: cannot send its response: ${describeError(error)}`);
    if (res.headersSent) res.destroy();
    else sendError(res, 500, 'InternalError', `The function ${fn.metadata.name} returned an invalid response; see the host log.`);
  }
}

/** Responses whose function logs its own request line (functions/http/key-vault-route.ts). */
const reachedFunction = new WeakSet<ServerResponse>();

/**
 * The request line for what never reached a function (no route, wrong method, a body too large): the
 * operator sees those too. Path only: the query may carry ids, and nothing from the headers is logged.
 */
function logUnrouted(log: (line: string) => void, req: IncomingMessage, res: ServerResponse, started: number): void {
  res.once('finish', () => {
    if (reachedFunction.has(res)) return;
    const path = (req.url ?? '/').split('?')[0];
    log(`${req.method ?? 'GET'} ${path} ${res.statusCode} ${Date.now() - started} ms (no function)`);
  });
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const scheme = options.tls ? 'https' : 'http';
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    logUnrouted(options.log, req, res, Date.now());
    handle(options, req, res).catch((error: unknown) => {
      options.log(`HTTP request failed: ${describeError(error)}`);
      if (!res.headersSent) sendError(res, 500, 'InternalError', 'The local host failed to handle the request.');
      else res.destroy();
    });
  };
  const https = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : undefined;
  const server: Server = https ?? createServer(listener);

  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(scheme, options.port, options.hostname) : error);
    server.once('error', failed);
    server.listen(options.port, options.hostname, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    scheme,
    setTlsCredentials(credentials) {
      if (!https) throw new Error('This server speaks plain HTTP; it has no TLS credentials to replace.');
      https.setSecureContext({ key: credentials.key, cert: credentials.cert });
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        // Idle keep-alive sockets would hold close() open; in-flight requests get a grace period to finish.
        const force = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
        server.close((error) => {
          clearTimeout(force);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
