import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseDnsZoneResourceId } from './issuers/acme/dns-zone-id';
import { DEFAULT_LOCAL_KEY_FILE } from './auth/constants';
import type { RetryPolicy } from './domain/retry-backoff';
import { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from './domain/soft-delete';
import { type LogLevel, LOG_LEVELS, parseLogLevel } from './log-level';
import { STORAGE_CONNECTION } from './names';

/**
 * App settings, validated once. A missing or malformed setting stops the app with one message that lists
 * every problem, instead of failing later inside a request.
 */

/** The settings the app reads, by name. Infrastructure checks import this list. */
export const SETTINGS = {
  storageConnectionString: STORAGE_CONNECTION,
  storageTableUri: `${STORAGE_CONNECTION}__tableServiceUri`,
  storageQueueUri: `${STORAGE_CONNECTION}__queueServiceUri`,
  storageCredential: `${STORAGE_CONNECTION}__credential`,
  storageClientId: `${STORAGE_CONNECTION}__clientId`,
  keyEncryptionKey: 'KEY_ENCRYPTION_KEY',
  authMode: 'AUTH_MODE',
  authTenantId: 'AUTH_TENANT_ID',
  authAudience: 'AUTH_AUDIENCE',
  authAuthorityHost: 'AUTH_AUTHORITY_HOST',
  authLocalKeyFile: 'AUTH_LOCAL_KEY_FILE',
  authorizationMode: 'AUTHORIZATION_MODE',
  /** The dashboard's own Entra app registration (a single-page app), for its sign-in (docs/dashboard.md). */
  dashboardClientId: 'DASHBOARD_CLIENT_ID',
  statusSweepSchedule: 'STATUS_SWEEP_SCHEDULE',
  operationMaxAgeSeconds: 'OPERATION_MAX_AGE_SECONDS',
  jobRedriveAfterSeconds: 'JOB_REDRIVE_AFTER_SECONDS',
  issuanceMinSeconds: 'ISSUANCE_MIN_SECONDS',
  softDeleteRetentionDays: 'SOFT_DELETE_RETENTION_DAYS',
  deletionMinSeconds: 'DELETION_MIN_SECONDS',
  purgeSchedule: 'PURGE_SCHEDULE',
  lifetimeSchedule: 'LIFETIME_SCHEDULE',
  issuerRetryMaxAttempts: 'ISSUER_RETRY_MAX_ATTEMPTS',
  issuerRetryBaseSeconds: 'ISSUER_RETRY_BASE_SECONDS',
  issuerRetryMaxDelaySeconds: 'ISSUER_RETRY_MAX_DELAY_SECONDS',
  issuerJobLeaseSeconds: 'ISSUER_JOB_LEASE_SECONDS',
  logLevel: 'LOG_LEVEL',
  acmeCaBundle: 'ACME_CA_BUNDLE',
  acmeDnsZoneResourceId: 'ACME_DNS_ZONE_RESOURCE_ID',
  acmeDnsSettleSeconds: 'ACME_DNS_SETTLE_SECONDS',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  clockOffsetSeconds: 'CLOCK_OFFSET_SECONDS',
  /** Numbered webhook subscriptions: EVENT_WEBHOOK_1_URL with EVENT_WEBHOOK_1_SECRET, _2_, ... (docs/events.md). */
  eventWebhookPrefix: 'EVENT_WEBHOOK_',
  eventGridTopicEndpoint: 'EVENT_GRID_TOPIC_ENDPOINT',
  eventDeliveryMaxAttempts: 'EVENT_DELIVERY_MAX_ATTEMPTS',
  eventDeliveryRetryBaseSeconds: 'EVENT_DELIVERY_RETRY_BASE_SECONDS',
  eventDeliveryRetryMaxDelaySeconds: 'EVENT_DELIVERY_RETRY_MAX_DELAY_SECONDS',
  /** Set by App Service / Azure Functions to the app's default host name; read, never set by a deployment. */
  websiteHostname: 'WEBSITE_HOSTNAME',
} as const;

/**
 * Read-only variables the platform sets in every Function App (App Service plans, Consumption and Flex
 * Consumption alike: the Functions host itself reads WEBSITE_SITE_NAME as the app's name); the local host and
 * the tests set neither. Either one present means the app runs in Azure.
 */
export const AZURE_PLATFORM_MARKERS: readonly string[] = ['WEBSITE_SITE_NAME', 'WEBSITE_INSTANCE_ID'];

export function runsInAzure(env: NodeJS.ProcessEnv): boolean {
  return AZURE_PLATFORM_MARKERS.some((name) => Boolean(env[name]?.trim()));
}

/** Settings a deployment to Azure must set (identity-based storage, Entra ID tokens). */
export const DEPLOYED_REQUIRED_SETTINGS: readonly string[] = [
  SETTINGS.storageTableUri,
  SETTINGS.storageQueueUri,
  SETTINGS.storageCredential,
  SETTINGS.storageClientId,
  SETTINGS.keyEncryptionKey,
  SETTINGS.authMode,
  SETTINGS.authTenantId,
  SETTINGS.authAudience,
  SETTINGS.statusSweepSchedule,
  SETTINGS.purgeSchedule,
  SETTINGS.lifetimeSchedule,
];

export const DEFAULT_AUDIENCE = 'https://vault.azure.net';
const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export type StorageConfig =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; tableServiceUri: string; queueServiceUri: string; clientId?: string };

export type AuthConfig =
  | { mode: 'entra'; tenantId: string; audience: string; authorityHost: string }
  | { mode: 'local'; keyFile: string; audience: string };

/**
 * How a verified caller is authorized (AUTHORIZATION_MODE):
 * - `roles` (the default): by the Key Vault roles in its token's `roles` claim (shared/auth/roles.ts); a
 *   token without a role that grants the operation is refused 403 ForbiddenByRbac.
 * - `any-valid-token`: every caller with a valid token may do everything. Only when the audience itself is
 *   restricted (app role assignment required, docs/deploy.md) and every caller is trusted with every key.
 */
export const AUTHORIZATION_MODES = ['roles', 'any-valid-token'] as const;
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

export interface Config {
  storage: StorageConfig;
  /** 32 bytes that wrap every private key at rest (AES-256-GCM). */
  keyEncryptionKey: Buffer;
  auth: AuthConfig;
  authorizationMode: AuthorizationMode;
  /** Operations in progress longer than this fail with a timeout error. */
  operationMaxAgeSeconds: number;
  /** An issuer job not seen to progress for this long is enqueued again by the status sweep. */
  jobRedriveAfterSeconds: number;
  /**
   * Issuance takes at least this long (0: off, the default), so callers' tests see `inProgress` as on Key
   * Vault, where even a Self certificate takes seconds.
   */
  issuanceMinSeconds: number;
  /** How long a deleted certificate stays recoverable before it is purged (Key Vault's 7-90 days). */
  softDeleteRetentionDays: number;
  /**
   * A soft delete takes at least this long to show under /deletedcertificates (0: at once, the default), as
   * Key Vault's deletion takes a moment; meanwhile recover and purge answer 409 ObjectIsBeingDeleted.
   */
  deletionMinSeconds: number;
  /**
   * How the issuer job retries an issuer's transient failures (unreachable, timing out): exponential
   * backoff with full jitter from `baseDelaySeconds`, each delay at most `maxDelaySeconds`, and the request
   * fails after `maxAttempts` failed attempts in a row.
   */
  issuerRetry: RetryPolicy;
  /**
   * How long a job run holds an operation while it calls the provider (ServiceContext.jobLeaseSeconds): a run
   * that died is replaced only after this, and a provider call must end well within it.
   */
  issuerJobLeaseSeconds: number;
  /** What the app logs: see shared/log-level.ts. */
  logLevel: LogLevel;
  /** The ACME issuer's settings (docs/acme.md). */
  acme: AcmeConfig;
  /**
   * The vault URL ids, `Location` and `target` are built on (an origin, no trailing slash): PUBLIC_BASE_URL,
   * else `https://` + WEBSITE_HOSTNAME (the Function App's own name in Azure). Absent only outside Azure
   * with nothing set; ids then use the origin of the server the request reached (the local host's own).
   */
  publicBaseUrl?: string;
  /**
   * How far the service's clock is moved from the real one (CLOCK_OFFSET_SECONDS; 0 unless set): tests walk
   * a certificate through its life with it. Refused in Azure, where a moved clock would issue certificates
   * dated wrongly and renew them at the wrong time.
   */
  clockOffsetSeconds: number;
  /** Where certificate events go besides the certificate-events queue (docs/events.md). */
  events: EventsConfig;
  /**
   * The application (client) id of the dashboard's app registration, which signs users in with Entra ID and
   * asks for tokens for this API (DASHBOARD_CLIENT_ID). Absent: the dashboard cannot sign in in entra mode and
   * says so (shared/dashboard/sign-in-config.ts); the API itself does not need it.
   */
  dashboardClientId?: string;
}

/** One webhook subscription: its URL and the secret its deliveries are signed with. */
export interface WebhookSubscription {
  /** `1`, `2`, ...: the number in its settings' names. */
  name: string;
  url: string;
  secret: string;
}

export interface EventsConfig {
  webhooks: WebhookSubscription[];
  /** An Event Grid custom topic's endpoint; events are published there with the app's identity. */
  eventGridTopicEndpoint?: string;
  /** How a failed delivery to one webhook or the topic is retried (EVENT_DELIVERY_*). */
  deliveryRetry: RetryPolicy;
}

export interface AcmeConfig {
  /**
   * Extra CA certificates (PEM) trusted for ACME directories only, next to Node's own roots: a private ACME
   * server, or Pebble in the tests. Never trusted for anything else in the process.
   */
  caBundlePem?: string;
  /** The Azure DNS zone (resource id) where DNS-01 challenges are answered; without it, ACME uses HTTP-01. */
  dnsZoneResourceId?: string;
  /**
   * How long after publishing DNS-01 answers the CA is asked to look (Azure DNS serves a change from all its
   * name servers within about a minute, usually seconds). HTTP-01 answers are served at once.
   */
  dnsSettleSeconds: number;
}

const DEFAULT_DNS_SETTLE_SECONDS = 10;

function acmeFrom(env: NodeJS.ProcessEnv, problems: string[]): AcmeConfig {
  const settle = z.coerce
    .number({ message: `${SETTINGS.acmeDnsSettleSeconds} must be a number of seconds` })
    .int(`${SETTINGS.acmeDnsSettleSeconds} must be a whole number of seconds`)
    .min(1, `${SETTINGS.acmeDnsSettleSeconds} must be at least 1`)
    .max(3600, `${SETTINGS.acmeDnsSettleSeconds} must be at most 3600 (an hour)`)
    .default(DEFAULT_DNS_SETTLE_SECONDS)
    .safeParse(env[SETTINGS.acmeDnsSettleSeconds]?.trim() || undefined);
  if (!settle.success) problems.push(...settle.error.issues.map((i) => i.message));
  const acme: AcmeConfig = { dnsSettleSeconds: settle.success ? settle.data : DEFAULT_DNS_SETTLE_SECONDS };
  const bundleFile = env[SETTINGS.acmeCaBundle]?.trim();
  if (bundleFile) {
    try {
      const pem = readFileSync(bundleFile, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) problems.push(`${SETTINGS.acmeCaBundle} (${bundleFile}) holds no PEM certificate`);
      else acme.caBundlePem = pem;
    } catch {
      problems.push(`${SETTINGS.acmeCaBundle} (${bundleFile}) cannot be read`);
    }
  }
  const zone = env[SETTINGS.acmeDnsZoneResourceId]?.trim();
  if (zone) {
    try {
      parseDnsZoneResourceId(zone);
      acme.dnsZoneResourceId = zone;
    } catch (error) {
      problems.push(`${SETTINGS.acmeDnsZoneResourceId}: ${(error as Error).message}`);
    }
  }
  return acme;
}

const positiveInt = (name: string, fallback: number) =>
  z.coerce
    .number({ message: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be positive`)
    .default(fallback);

/** The longest a queue message can stay invisible, which bounds how far a job can put itself off. */
const MAX_QUEUE_VISIBILITY_SECONDS = 7 * 24 * 3600;

const issuanceMinSeconds = z.coerce
  .number({ message: `${SETTINGS.issuanceMinSeconds} must be a number of seconds` })
  .int(`${SETTINGS.issuanceMinSeconds} must be a whole number of seconds`)
  .min(0, `${SETTINGS.issuanceMinSeconds} must be 0 (off) or more`)
  .max(MAX_QUEUE_VISIBILITY_SECONDS, `${SETTINGS.issuanceMinSeconds} must be at most ${MAX_QUEUE_VISIBILITY_SECONDS} (7 days)`)
  .default(0);

/** A deletion never takes longer than an hour, even in a test that wants it slow. */
const MAX_DELETION_SECONDS = 3600;

const deletionMinSeconds = z.coerce
  .number({ message: `${SETTINGS.deletionMinSeconds} must be a number of seconds` })
  .int(`${SETTINGS.deletionMinSeconds} must be a whole number of seconds`)
  .min(0, `${SETTINGS.deletionMinSeconds} must be 0 (off) or more`)
  .max(MAX_DELETION_SECONDS, `${SETTINGS.deletionMinSeconds} must be at most ${MAX_DELETION_SECONDS} (an hour)`)
  .default(0);

const DEFAULT_ISSUER_RETRY: RetryPolicy = { maxAttempts: 8, baseDelaySeconds: 5, maxDelaySeconds: 600 };
const MAX_ISSUER_ATTEMPTS = 100;

const wholeSecondsUpToQueueLimit = (name: string, fallback: number) =>
  z.coerce
    .number({ message: `${name} must be a number of seconds` })
    .int(`${name} must be a whole number of seconds`)
    .min(1, `${name} must be at least 1 (second)`)
    .max(MAX_QUEUE_VISIBILITY_SECONDS, `${name} must be at most ${MAX_QUEUE_VISIBILITY_SECONDS} (7 days, the longest a queue message can wait)`)
    .default(fallback);

function issuerRetryFrom(env: NodeJS.ProcessEnv, problems: string[]): RetryPolicy | undefined {
  const names = { maxAttempts: SETTINGS.issuerRetryMaxAttempts, base: SETTINGS.issuerRetryBaseSeconds, max: SETTINGS.issuerRetryMaxDelaySeconds };
  return retryPolicyFrom(env, problems, names, DEFAULT_ISSUER_RETRY, MAX_ISSUER_ATTEMPTS);
}

function retryPolicyFrom(
  env: NodeJS.ProcessEnv,
  problems: string[],
  names: { maxAttempts: string; base: string; max: string },
  defaults: RetryPolicy,
  attemptsLimit: number,
): RetryPolicy | undefined {
  const maxAttempts = z.coerce
    .number({ message: `${names.maxAttempts} must be a number` })
    .int(`${names.maxAttempts} must be a whole number`)
    .min(1, `${names.maxAttempts} must be at least 1`)
    .max(attemptsLimit, `${names.maxAttempts} must be at most ${attemptsLimit}`)
    .default(defaults.maxAttempts)
    .safeParse(env[names.maxAttempts]?.trim() || undefined);
  const base = wholeSecondsUpToQueueLimit(names.base, defaults.baseDelaySeconds).safeParse(env[names.base]?.trim() || undefined);
  const max = wholeSecondsUpToQueueLimit(names.max, defaults.maxDelaySeconds).safeParse(env[names.max]?.trim() || undefined);
  for (const parsed of [maxAttempts, base, max]) if (!parsed.success) problems.push(...parsed.error.issues.map((i) => i.message));
  if (!maxAttempts.success || !base.success || !max.success) return undefined;
  if (base.data > max.data) {
    problems.push(`${names.base} (${base.data}) must not exceed ${names.max} (${max.data})`);
    return undefined;
  }
  return { maxAttempts: maxAttempts.data, baseDelaySeconds: base.data, maxDelaySeconds: max.data };
}

/**
 * A failed delivery is retried for about a day at the defaults (delays up to an hour each), as Event Grid
 * retries its own deliveries for 24 hours; then it goes to the certificate-event-deliveries-failed queue.
 */
const DEFAULT_EVENT_DELIVERY_RETRY: RetryPolicy = { maxAttempts: 30, baseDelaySeconds: 10, maxDelaySeconds: 3600 };
const MAX_EVENT_DELIVERY_ATTEMPTS = 100;
/** Numbered subscriptions are read up to this number (gaps allowed), which bounds what a typo can cost. */
export const MAX_EVENT_WEBHOOKS = 20;
/** A shorter secret is guessable enough to forge a signature with. */
const MIN_WEBHOOK_SECRET_LENGTH = 16;

/**
 * Webhooks are numbered settings rather than one JSON setting so that each secret is a setting of its own,
 * which can be a Key Vault reference (`@Microsoft.KeyVault(SecretUri=...)`) and is never written next to the URL.
 */
function eventsFrom(env: NodeJS.ProcessEnv, problems: string[]): EventsConfig | undefined {
  const webhooks: WebhookSubscription[] = [];
  for (let n = 1; n <= MAX_EVENT_WEBHOOKS; n++) {
    const urlName = `${SETTINGS.eventWebhookPrefix}${n}_URL`;
    const secretName = `${SETTINGS.eventWebhookPrefix}${n}_SECRET`;
    const url = env[urlName]?.trim();
    const secret = env[secretName];
    if (!url && !secret) continue;
    if (!url) {
      problems.push(`${secretName} is set but ${urlName} is not`);
      continue;
    }
    if (!webhookUrlIsAcceptable(url)) problems.push(`${urlName} must be an https URL (http only to localhost), got "${url}"`);
    if (!secret || secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      problems.push(`${secretName} must be set to a secret of at least ${MIN_WEBHOOK_SECRET_LENGTH} characters (the deliveries to ${urlName} are signed with it)`);
      continue;
    }
    webhooks.push({ name: String(n), url, secret });
  }
  const endpoint = env[SETTINGS.eventGridTopicEndpoint]?.trim() || undefined;
  if (endpoint && !/^https:\/\/[^/\s]+\/api\/events\/?$/i.test(endpoint)) {
    problems.push(`${SETTINGS.eventGridTopicEndpoint} must be an Event Grid topic endpoint such as https://my-topic.westeurope-1.eventgrid.azure.net/api/events, got "${endpoint}"`);
  }
  const names = { maxAttempts: SETTINGS.eventDeliveryMaxAttempts, base: SETTINGS.eventDeliveryRetryBaseSeconds, max: SETTINGS.eventDeliveryRetryMaxDelaySeconds };
  const deliveryRetry = retryPolicyFrom(env, problems, names, DEFAULT_EVENT_DELIVERY_RETRY, MAX_EVENT_DELIVERY_ATTEMPTS);
  if (!deliveryRetry) return undefined;
  return { webhooks, deliveryRetry, ...(endpoint ? { eventGridTopicEndpoint: endpoint } : {}) };
}

function webhookUrlIsAcceptable(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/**
 * The lease must outlast one provider call (an ACME step makes a few requests of at most 30 s each), or a
 * second run could call the provider while the first still is; beyond an hour it only delays the recovery of
 * a run that died.
 */
const MIN_JOB_LEASE_SECONDS = 10;
const MAX_JOB_LEASE_SECONDS = 3600;
const DEFAULT_JOB_LEASE_SECONDS = 120;

const issuerJobLeaseSeconds = z.coerce
  .number({ message: `${SETTINGS.issuerJobLeaseSeconds} must be a number of seconds` })
  .int(`${SETTINGS.issuerJobLeaseSeconds} must be a whole number of seconds`)
  .min(MIN_JOB_LEASE_SECONDS, `${SETTINGS.issuerJobLeaseSeconds} must be at least ${MIN_JOB_LEASE_SECONDS} (seconds): a provider call must end within it`)
  .max(MAX_JOB_LEASE_SECONDS, `${SETTINGS.issuerJobLeaseSeconds} must be at most ${MAX_JOB_LEASE_SECONDS} (an hour)`)
  .default(DEFAULT_JOB_LEASE_SECONDS);

const softDeleteRetentionDays = z.coerce
  .number({ message: `${SETTINGS.softDeleteRetentionDays} must be a number of days` })
  .int(`${SETTINGS.softDeleteRetentionDays} must be a whole number of days`)
  .min(MIN_RETENTION_DAYS, `${SETTINGS.softDeleteRetentionDays} must be at least ${MIN_RETENTION_DAYS} (days), as on Key Vault`)
  .max(MAX_RETENTION_DAYS, `${SETTINGS.softDeleteRetentionDays} must be at most ${MAX_RETENTION_DAYS} (days), as on Key Vault`)
  .default(DEFAULT_RETENTION_DAYS);

const keyEncryptionKey = z
  .string({ message: `${SETTINGS.keyEncryptionKey} is required (32 bytes, base64)` })
  .transform((value, ctx) => {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length !== 32) {
      ctx.addIssue({ code: 'custom', message: `${SETTINGS.keyEncryptionKey} must be 32 bytes in base64, got ${bytes.length}` });
      return z.NEVER;
    }
    return bytes;
  });

const required = (name: string) => z.string({ message: `${name} is required` }).trim().min(1, `${name} is required`);

function storageFrom(env: NodeJS.ProcessEnv, problems: string[]): StorageConfig | undefined {
  const connectionString = env[SETTINGS.storageConnectionString]?.trim();
  if (connectionString) return { kind: 'connectionString', connectionString };
  const tableServiceUri = env[SETTINGS.storageTableUri]?.trim();
  const queueServiceUri = env[SETTINGS.storageQueueUri]?.trim();
  if (!tableServiceUri || !queueServiceUri) {
    problems.push(
      `storage: set ${SETTINGS.storageConnectionString} (a connection string) or both ${SETTINGS.storageTableUri} and ${SETTINGS.storageQueueUri}`,
    );
    return undefined;
  }
  const clientId = env[SETTINGS.storageClientId]?.trim();
  return { kind: 'identity', tableServiceUri, queueServiceUri, ...(clientId ? { clientId } : {}) };
}

function authFrom(env: NodeJS.ProcessEnv, problems: string[]): AuthConfig | undefined {
  const mode = env[SETTINGS.authMode]?.trim() || 'entra';
  const audience = env[SETTINGS.authAudience]?.trim() || DEFAULT_AUDIENCE;
  if (mode === 'local') {
    return { mode, audience, keyFile: env[SETTINGS.authLocalKeyFile]?.trim() || DEFAULT_LOCAL_KEY_FILE };
  }
  if (mode !== 'entra') {
    problems.push(`${SETTINGS.authMode} must be "entra" or "local", got "${mode}"`);
    return undefined;
  }
  const tenant = required(SETTINGS.authTenantId).safeParse(env[SETTINGS.authTenantId]);
  if (!tenant.success) {
    problems.push(...tenant.error.issues.map((i) => i.message));
    return undefined;
  }
  const authorityHost = (env[SETTINGS.authAuthorityHost]?.trim() || DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '');
  return { mode, tenantId: tenant.data, audience, authorityHost };
}

function authorizationModeFrom(env: NodeJS.ProcessEnv, problems: string[]): AuthorizationMode | undefined {
  const mode = env[SETTINGS.authorizationMode]?.trim() || 'roles';
  if ((AUTHORIZATION_MODES as readonly string[]).includes(mode)) return mode as AuthorizationMode;
  problems.push(`${SETTINGS.authorizationMode} must be ${AUTHORIZATION_MODES.map((m) => `"${m}"`).join(' or ')}, got "${mode}"`);
  return undefined;
}

/**
 * PUBLIC_BASE_URL must be an origin: http(s), a host, an optional port, nothing after (a path would put the
 * SDKs' own paths under it, which Key Vault's clients do not do).
 */
function publicBaseUrlFrom(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const configured = env[SETTINGS.publicBaseUrl]?.trim();
  if (configured) {
    let url: URL | undefined;
    try {
      url = new URL(configured);
    } catch {
      url = undefined;
    }
    const bare = url && (url.protocol === 'https:' || url.protocol === 'http:') && url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if (!url || !bare) {
      problems.push(`${SETTINGS.publicBaseUrl} must be an origin such as https://certs.contoso.com (scheme, host, optional port; no path), got "${configured}"`);
      return undefined;
    }
    return url.origin;
  }
  const hostname = env[SETTINGS.websiteHostname]?.trim();
  if (!hostname) return undefined;
  try {
    return new URL(`https://${hostname}`).origin;
  } catch {
    problems.push(`${SETTINGS.websiteHostname} is not a host name: "${hostname}"`);
    return undefined;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An Entra client id is a GUID: anything else (an app name, an Application ID URI) would fail only at sign-in. */
function dashboardClientIdFrom(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const configured = env[SETTINGS.dashboardClientId]?.trim();
  if (!configured) return undefined;
  if (GUID.test(configured)) return configured.toLowerCase();
  problems.push(`${SETTINGS.dashboardClientId} must be the application (client) id of the dashboard's app registration (a GUID), got "${configured}"`);
  return undefined;
}

/** A century either way: further than any certificate's validity, yet within what a Date can hold. */
const MAX_CLOCK_OFFSET_SECONDS = 100 * 365 * 24 * 3600;

const clockOffsetSeconds = z.coerce
  .number({ message: `${SETTINGS.clockOffsetSeconds} must be a number of seconds` })
  .int(`${SETTINGS.clockOffsetSeconds} must be a whole number of seconds`)
  .min(-MAX_CLOCK_OFFSET_SECONDS, `${SETTINGS.clockOffsetSeconds} must be at least -${MAX_CLOCK_OFFSET_SECONDS} (a century back)`)
  .max(MAX_CLOCK_OFFSET_SECONDS, `${SETTINGS.clockOffsetSeconds} must be at most ${MAX_CLOCK_OFFSET_SECONDS} (a century ahead)`);

/** The clock offset, refused outright (even 0) when the app runs in Azure: a deployment never moves its clock. */
function clockOffsetFrom(env: NodeJS.ProcessEnv, problems: string[]): number | undefined {
  const configured = env[SETTINGS.clockOffsetSeconds]?.trim();
  if (!configured) return 0;
  if (runsInAzure(env)) {
    problems.push(`${SETTINGS.clockOffsetSeconds} is for tests outside Azure; remove it from this deployment's app settings`);
    return undefined;
  }
  const parsed = clockOffsetSeconds.safeParse(configured);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((i) => i.message));
    return undefined;
  }
  return parsed.data;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid app settings:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const storage = storageFrom(env, problems);
  const auth = authFrom(env, problems);
  const authorizationMode = authorizationModeFrom(env, problems);
  const kek = keyEncryptionKey.safeParse(env[SETTINGS.keyEncryptionKey]);
  if (!kek.success) problems.push(...kek.error.issues.map((i) => i.message));
  const maxAge = positiveInt(SETTINGS.operationMaxAgeSeconds, 24 * 3600).safeParse(env[SETTINGS.operationMaxAgeSeconds] || undefined);
  if (!maxAge.success) problems.push(...maxAge.error.issues.map((i) => i.message));
  const redrive = positiveInt(SETTINGS.jobRedriveAfterSeconds, 60).safeParse(env[SETTINGS.jobRedriveAfterSeconds] || undefined);
  if (!redrive.success) problems.push(...redrive.error.issues.map((i) => i.message));
  const minIssuance = issuanceMinSeconds.safeParse(env[SETTINGS.issuanceMinSeconds]?.trim() || undefined);
  if (!minIssuance.success) problems.push(...minIssuance.error.issues.map((i) => i.message));
  if (minIssuance.success && maxAge.success && minIssuance.data >= maxAge.data) {
    // Every operation would time out before it could be issued.
    problems.push(`${SETTINGS.issuanceMinSeconds} (${minIssuance.data}) must be less than ${SETTINGS.operationMaxAgeSeconds} (${maxAge.data})`);
  }

  const retention = softDeleteRetentionDays.safeParse(env[SETTINGS.softDeleteRetentionDays]?.trim() || undefined);
  if (!retention.success) problems.push(...retention.error.issues.map((i) => i.message));
  const minDeletion = deletionMinSeconds.safeParse(env[SETTINGS.deletionMinSeconds]?.trim() || undefined);
  if (!minDeletion.success) problems.push(...minDeletion.error.issues.map((i) => i.message));

  const issuerRetry = issuerRetryFrom(env, problems);
  const jobLease = issuerJobLeaseSeconds.safeParse(env[SETTINGS.issuerJobLeaseSeconds]?.trim() || undefined);
  if (!jobLease.success) problems.push(...jobLease.error.issues.map((i) => i.message));
  const acme = acmeFrom(env, problems);
  const publicBaseUrl = publicBaseUrlFrom(env, problems);
  const clockOffset = clockOffsetFrom(env, problems);
  const events = eventsFrom(env, problems);
  const dashboardClientId = dashboardClientIdFrom(env, problems);

  const logLevel = parseLogLevel(env[SETTINGS.logLevel]);
  if (!logLevel) problems.push(`${SETTINGS.logLevel} must be one of ${LOG_LEVELS.join(', ')}, got "${env[SETTINGS.logLevel]}"`);

  if (problems.length > 0 || !storage || !auth || !authorizationMode || !kek.success || !maxAge.success || !redrive.success || !minIssuance.success || !retention.success || !minDeletion.success || !issuerRetry || !jobLease.success || !logLevel || clockOffset === undefined || !events) {
    throw new ConfigError(problems);
  }
  return {
    storage,
    auth,
    authorizationMode,
    keyEncryptionKey: kek.data,
    operationMaxAgeSeconds: maxAge.data,
    jobRedriveAfterSeconds: redrive.data,
    issuanceMinSeconds: minIssuance.data,
    softDeleteRetentionDays: retention.data,
    deletionMinSeconds: minDeletion.data,
    issuerRetry,
    issuerJobLeaseSeconds: jobLease.data,
    logLevel,
    acme,
    events,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
    ...(dashboardClientId ? { dashboardClientId } : {}),
    clockOffsetSeconds: clockOffset,
  };
}

let cached: Config | undefined;

/** The process's configuration, parsed on first use and kept. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  cached ??= parseConfig(env);
  return cached;
}

/** Tests and the local host start several apps in one process; they reset between them. */
export function resetConfigForTests(): void {
  cached = undefined;
}
