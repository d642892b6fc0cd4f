import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import type * as AcmeClientLibrary from 'acme-client';
import { acmeClient } from '../../lazy-packages';

export type AcmeLibrary = typeof AcmeClientLibrary;

/**
 * How acme-client's HTTP client (its own axios instance, used by nothing else in the app) behaves here:
 *
 * - **No waiting in-process.** acme-client retries a network error, a 429 or a 5xx up to 5 times, sleeping
 *   5 s, 10 s, … in between (75 s in all). A provider never sleeps (docs/issuers.md): the first failure goes
 *   back to the issuer job, which retries with its own visible backoff. Each request gives up after
 *   REQUEST_TIMEOUT_MS, well inside the job's lease.
 * - **The CA's problem type is kept.** acme-client turns a problem document into an Error of its `detail`
 *   alone; the same handler puts the type in front of the detail ("urn:ietf:params:acme:error:rejectedIdentifier:
 *   …"), so the provider can tell a refusal from a hiccup and show the caller both (RFC 8555 §6.7). badNonce is
 *   left alone: acme-client retries it by its type.
 * - **Network errors reach the caller as they are.** Once its retries are spent, acme-client 5.4 reads the
 *   response of a request that had none and throws a TypeError instead of ECONNREFUSED; a handler placed
 *   before its own passes such errors on without their request config, which its handler lets through.
 * - **Extra trust for ACME only** (ACME_CA_BUNDLE): a private ACME server's CA, or Pebble's in the tests,
 *   added to Node's own roots on this client's HTTPS agent alone, so nothing else in the process (storage,
 *   Entra ID, Azure DNS) trusts it. Configuring again replaces what was configured (a test process starts
 *   several apps).
 * - **Loaded on first use.** acme-client (with its axios and its crypto) is the heaviest module the app has, and
 *   most instances never talk to an ACME CA; every Functions instance pays what it loads at start (a cold
 *   start). So it is required by the first ACME call, and configured then with the settings given before.
 */
const REQUEST_TIMEOUT_MS = 30_000;

let installed: number | undefined;
let agent: Agent | undefined;
let networkErrorsPassThrough = false;

interface InterceptorHandler {
  fulfilled: unknown;
  rejected: (error: unknown) => unknown;
  synchronous: boolean;
  runWhen: unknown;
}

const PROBLEM_TYPE_PREFIX = 'urn:ietf:params:acme:error:';

/**
 * Every response reaches here as an error (acme-client makes axios reject them all and sorts them in its own
 * handler, which runs next): a problem document gets its type in its detail. A network error (no response)
 * loses its request config, which acme-client's handler then rejects with untouched.
 */
function withoutRequestConfig(error: unknown): Promise<never> {
  if (typeof error !== 'object' || error === null) return Promise.reject(error);
  const response = (error as { response?: { data?: unknown } }).response;
  if (response) {
    const problem = response.data as { type?: unknown; detail?: unknown } | undefined;
    if (problem && typeof problem.type === 'string' && problem.type.startsWith(PROBLEM_TYPE_PREFIX) && problem.type !== `${PROBLEM_TYPE_PREFIX}badNonce`) {
      const detail = typeof problem.detail === 'string' ? problem.detail : '';
      if (!detail.startsWith(problem.type)) problem.detail = `${problem.type}: ${detail}`;
    }
    return Promise.reject(error);
  }
  const { message, code } = error as { message?: string; code?: string };
  return Promise.reject(Object.assign(new Error(message ?? 'network error'), code ? { code } : {}));
}

interface AcmeHttpOptions {
  caBundlePem?: string | undefined;
}

let settings: AcmeHttpOptions = {};
let library: AcmeLibrary | undefined;

/** acme-client, loaded and configured on the first call. */
export function acmeLibrary(): AcmeLibrary {
  if (!library) {
    library = acmeClient();
    applyTo(library, settings);
  }
  return library;
}

/** Sets how ACME requests are made; applies at once when acme-client is loaded already, else when it is. */
export function configureAcmeHttp(options: AcmeHttpOptions): void {
  settings = options;
  if (library) applyTo(library, settings);
}

function applyTo(acme: AcmeLibrary, options: AcmeHttpOptions): void {
  const defaults = acme.axios.defaults as typeof acme.axios.defaults & { acmeSettings?: { retryMaxAttempts: number } };
  if (defaults.acmeSettings) defaults.acmeSettings.retryMaxAttempts = 0;
  defaults.timeout = REQUEST_TIMEOUT_MS;
  const responseHandlers = (acme.axios.interceptors.response as unknown as { handlers?: (InterceptorHandler | null)[] }).handlers;
  if (!networkErrorsPassThrough && Array.isArray(responseHandlers)) {
    responseHandlers.unshift({ fulfilled: null, rejected: withoutRequestConfig, synchronous: false, runWhen: null });
    networkErrorsPassThrough = true;
  }

  if (installed !== undefined) acme.axios.interceptors.request.eject(installed);
  agent?.destroy();
  installed = undefined;
  agent = undefined;
  if (!options.caBundlePem) return;
  const trusted = new Agent({ ca: [...rootCertificates, options.caBundlePem], keepAlive: true });
  agent = trusted;
  installed = acme.axios.interceptors.request.use((config) => {
    config.httpsAgent = trusted;
    return config;
  });
}
