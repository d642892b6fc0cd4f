import { existsSync } from 'node:fs';
import path from 'node:path';
import { resetConfigForTests } from '../../shared/config';
import { resolveAppSettings } from './app-settings';
import { setSystemLogSink, type RegisteredFunction } from './functions-core';
import { readHostJson, type HostSettings } from './host-json';
import { newHookContext, runHooks } from './hooks';
import { DEFAULT_MAX_REQUEST_BODY_BYTES, startHttpServer, type RunningHttpServer, type TlsCredentials } from './http-server';
import { describeError } from './invoke';
import { listFunctionModules, loadFunctionModules } from './load-functions';
import { startQueueListener, type QueueListener } from './queue-listener';
import { RouteTable, type RouteDefinition } from '../../functions/http/route-table';
import { startTimerJob, type TimerJob } from './timer-scheduler';
import { triggerOf, type TriggerBinding } from './trigger-bindings';

/**
 * The local Functions host: loads function modules, reads host.json, and serves the registrations over HTTP,
 * storage queues and timers. Runs in-process under jest (TypeScript sources) and from compiled JS (`npm start`).
 */

export interface LocalHostOptions {
  /** HTTP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; loopback by default, since local auth is for this machine only. */
  hostname?: string;
  /** Function modules to load; default: every module in `<repo>/functions` (`dist/functions` when compiled). */
  functionModules?: string[];
  /** Merged into process.env before any module loads (an app reads its settings from there). */
  env?: Record<string, string>;
  /** Default: the nearest host.json above this file (the repo root, from source or from dist). */
  hostJsonPath?: string;
  log?: (line: string) => void;
  /** Also serve the same routes over HTTPS, on their own port. */
  https?: LocalHostHttpsOptions;
}

export interface LocalHostHttpsOptions {
  /** 0 picks a free one. */
  port: number;
  /**
   * The key and certificate to serve. Asked at start and again every `recheckEveryMs`: it may hand back
   * the same ones or renewed ones, which new connections then get without a restart.
   */
  credentials: () => Promise<TlsCredentials>;
  /** Default: daily. */
  recheckEveryMs?: number;
}

const DAILY_MS = 86_400_000;

export interface LocalHost {
  /** Origin of the HTTP server, e.g. `http://127.0.0.1:7071`; routes sit under it (after the route prefix). */
  readonly url: string;
  readonly port: number;
  /** Origin of the HTTPS server, e.g. `https://127.0.0.1:7443`, when the host serves HTTPS. */
  readonly httpsUrl?: string;
  readonly httpsPort?: number;
  /** Asks the credentials provider again now (what the daily timer does); true when the certificate changed. */
  recheckTlsCredentials(): Promise<boolean>;
  /** The functions this host serves. */
  readonly registrations: readonly RegisteredFunction[];
  readonly settings: HostSettings;
  stop(): Promise<void>;
}

export function findHostJson(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'host.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`No host.json found above ${from}`);
  }
}

function connectionStringFor(trigger: Extract<TriggerBinding, { kind: 'queue' }>, env: NodeJS.ProcessEnv): string {
  // The host reads `<connection>` and, for older apps, `AzureWebJobs<connection>`.
  const value = env[trigger.connection] ?? env[`AzureWebJobs${trigger.connection}`];
  if (!value) {
    throw new Error(
      `Function "${trigger.functionName}": storage connection "${trigger.connection}" is not set (the local host needs a connection string in that app setting).`,
    );
  }
  return value;
}

function describeTrigger(trigger: TriggerBinding, url: string, settings: HostSettings, env: NodeJS.ProcessEnv): string {
  switch (trigger.kind) {
    case 'http': {
      const template = [settings.routePrefix, trigger.route.replace(/^\/+/, '')].filter(Boolean).join('/');
      return `[${(trigger.methods ?? ['*']).join(',')}] ${url}/${template}`;
    }
    case 'queue':
      return `queueTrigger (${resolveAppSettings(trigger.queueName, env, trigger.functionName)})`;
    case 'timer':
      return `timerTrigger (${resolveAppSettings(trigger.schedule, env, trigger.functionName)})`;
    case 'unsupported':
      return `${trigger.type} (not supported by the local host; never invoked)`;
  }
}

/** Bindings the local host does not carry out; the app should use the SDKs instead, and this says so early. */
function warnAboutUnsupportedBindings(fn: RegisteredFunction, log: (line: string) => void): void {
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    const isTrigger = binding.direction === 'in' && /trigger$/i.test(binding.type ?? '');
    const isHttpReturn = name === '$return' && binding.type === 'http';
    if (!isTrigger && !isHttpReturn) {
      log(`Warning: function "${fn.metadata.name}" declares a ${binding.type} ${binding.direction} binding "${name}", which the local host ignores.`);
    }
  }
  if (fn.metadata.retryOptions) log(`Warning: function "${fn.metadata.name}" has a retry policy, which the local host ignores.`);
}

/** The Functions host's app setting for its request body limit, read the same way here. */
function requestBodyLimitOf(env: NodeJS.ProcessEnv): number {
  const raw = env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT?.trim();
  if (!raw) return DEFAULT_MAX_REQUEST_BODY_BYTES;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT must be a number of bytes, got "${raw}"`);
  return Number(raw);
}

export async function startLocalHost(options: LocalHostOptions = {}): Promise<LocalHost> {
  const log = options.log ?? ((line: string) => console.log(line));
  Object.assign(process.env, options.env ?? {});
  // The app caches its parsed settings; a new host in the same process must see the env it was given.
  resetConfigForTests();
  setSystemLogSink((level, category, message) => {
    if (level !== 'trace' && level !== 'debug') log(`[${category}] ${level}: ${message}`);
  });

  const env = process.env;
  const hostJsonPath = options.hostJsonPath ?? findHostJson();
  const settings = readHostJson(hostJsonPath, env);
  const registrations = loadFunctionModules(options.functionModules ?? listFunctionModules());
  const triggers = registrations.map((fn) => ({ fn, trigger: triggerOf(fn) }));
  triggers.forEach(({ fn }) => warnAboutUnsupportedBindings(fn, log));

  const routes: RouteDefinition[] = triggers.flatMap(({ trigger }) =>
    trigger.kind === 'http'
      ? [{ functionName: trigger.functionName, template: trigger.route, ...(trigger.methods ? { methods: trigger.methods } : {}) }]
      : [],
  );
  const routeTable = new RouteTable(routes, settings.routePrefix);
  const byName = new Map(registrations.map((fn) => [fn.metadata.name, fn]));
  const hostname = options.hostname ?? '127.0.0.1';
  const maxRequestBodyBytes = requestBodyLimitOf(env);

  let http: RunningHttpServer | undefined;
  let https: RunningHttpServer | undefined;
  let tlsRecheck: NodeJS.Timeout | undefined;
  const listeners: QueueListener[] = [];
  const timers: TimerJob[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(tlsRecheck);
      const results = await Promise.allSettled([
        ...timers.map((timer) => timer.stop()),
        ...listeners.map((listener) => listener.stop()),
        ...[http, https].flatMap((server) => (server ? [server.stop()] : [])),
      ]);
      await runHooks('appTerminate', newHookContext()).catch((error: unknown) => log(`appTerminate hook failed: ${describeError(error)}`));
      for (const result of results) if (result.status === 'rejected') log(`Stopping the local host: ${describeError(result.reason)}`);
    })();
    return stopping;
  };

  try {
    await runHooks('appStart', newHookContext({ functionAppDirectory: path.dirname(path.resolve(hostJsonPath)) }));
    http = await startHttpServer({ routes: routeTable, functions: byName, port: options.port ?? 0, hostname, log, maxRequestBodyBytes });
    const origin = (scheme: string, port: number) => `${scheme}://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
    const url = origin('http', http.port);
    let httpsUrl: string | undefined;
    let recheckTlsCredentials = (): Promise<boolean> => Promise.resolve(false);
    if (options.https) {
      const { credentials, recheckEveryMs = DAILY_MS } = options.https;
      let current = await credentials();
      https = await startHttpServer({ routes: routeTable, functions: byName, port: options.https.port, hostname, log, tls: current, maxRequestBodyBytes });
      httpsUrl = origin('https', https.port);
      const server = https;
      const swapIfRenewed = async (): Promise<boolean> => {
        const next = await credentials();
        if (next.cert === current.cert && next.key === current.key) return false;
        server.setTlsCredentials(next);
        current = next;
        log('HTTPS: now serving a renewed certificate.');
        return true;
      };
      // One check at a time: the daily timer and a caller asking at once share the same answer.
      let rechecking: Promise<boolean> | undefined;
      recheckTlsCredentials = () => {
        rechecking ??= swapIfRenewed().finally(() => {
          rechecking = undefined;
        });
        return rechecking;
      };
      tlsRecheck = setInterval(() => {
        // A failed renewal keeps the current certificate; the next check tries again.
        recheckTlsCredentials().catch((error: unknown) => log(`HTTPS: renewing the certificate failed: ${describeError(error)}`));
      }, recheckEveryMs);
      tlsRecheck.unref();
    }

    log('Functions:');
    for (const { fn, trigger } of triggers) log(`  ${fn.metadata.name}: ${describeTrigger(trigger, url, settings, env)}`);

    for (const { fn, trigger } of triggers) {
      if (trigger.kind === 'queue') {
        const queueName = resolveAppSettings(trigger.queueName, env, `Function "${fn.metadata.name}" queueName`);
        listeners.push(
          await startQueueListener({ fn, queueName, connectionString: connectionStringFor(trigger, env), settings: settings.queues, log }),
        );
      } else if (trigger.kind === 'timer') {
        const schedule = resolveAppSettings(trigger.schedule, env, `Function "${fn.metadata.name}" schedule`);
        timers.push(startTimerJob({ fn, schedule, runOnStartup: trigger.runOnStartup, timezone: env.WEBSITE_TIME_ZONE || 'UTC', log }));
      }
    }

    return {
      url,
      port: http.port,
      ...(https && httpsUrl ? { httpsUrl, httpsPort: https.port } : {}),
      recheckTlsCredentials,
      registrations,
      settings,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
