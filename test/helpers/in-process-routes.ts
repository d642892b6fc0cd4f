import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, HttpResponse, type HttpResponseInit } from '@azure/functions';
import { getRegisteredFunctions } from '../../scripts/local-host/functions-core';
import { invokeFunction } from '../../scripts/local-host/invoke';
import { type KeyVaultRouteRegistration, keyVaultRouteRegistrations } from '../../functions/http/register-route';
import { ensureLocalSigningKey, issueLocalToken } from '../../shared/auth/local-signing-key';
import { DEFAULT_AUDIENCE } from '../../shared/config';
import { STORAGE_CONNECTION } from '../../shared/names';

/**
 * The app's HTTP functions run in this process, without a server or storage: each request goes through the
 * same keyVaultRoute wrapper the Functions host calls (authentication, authorization, api-version, audit), so
 * anything decided before storage is reached (401, 403, 400) is tested here in milliseconds. Requests that
 * would reach storage belong in e2e tests (test/helpers/service-under-test.ts).
 */

const functionsDir = join(__dirname, '..', '..', 'functions');

/**
 * Loads the function files (registering them, as the host's loader does): all of them, or only `files`
 * (e.g. `['secret-get.ts']`) for a test that needs a few. Call while the test file is read.
 */
export function loadAllFunctions(files?: readonly string[]): readonly KeyVaultRouteRegistration[] {
  for (const file of files ?? readdirSync(functionsDir).filter((f) => f.endsWith('.ts'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(functionsDir, file));
  }
  return keyVaultRouteRegistrations();
}

/**
 * Enough configuration for the gate: a local token verifier on `keyFile`; storage is named but never reached
 * before the answers these tests look at. Returns a restore function for afterAll.
 */
async function useLocalAuthSettings(keyFile: string, extra: Record<string, string> = {}): Promise<() => void> {
  const saved = { ...process.env };
  await ensureLocalSigningKey(keyFile);
  Object.assign(process.env, {
    [STORAGE_CONNECTION]: 'UseDevelopmentStorage=true',
    KEY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    AUTH_MODE: 'local',
    AUTH_LOCAL_KEY_FILE: keyFile,
    LOG_LEVEL: 'info',
    ...extra,
  });
  return () => {
    process.env = saved;
  };
}

/**
 * For the test file (or describe block) it is called in: a signing key in a temporary folder and the local-auth
 * settings of useLocalAuthSettings, set before its tests and restored after. Returns the key file's path.
 */
export function localAuthForTests(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'kv-local-auth-'));
  const keyFile = join(dir, 'auth-signing-key.json');
  let restore: () => void = () => undefined;
  beforeAll(async () => {
    restore = await useLocalAuthSettings(keyFile, extra);
  });
  afterAll(() => {
    restore();
    rmSync(dir, { recursive: true, force: true });
  });
  return keyFile;
}

export function localToken(keyFile: string, options: { roles?: string[]; subject?: string; lifetimeSeconds?: number } = {}): Promise<string> {
  return issueLocalToken(keyFile, { audience: DEFAULT_AUDIENCE, ...options });
}

/** A concrete path for a route template, with the params the host would pass: every parameter filled in. */
export function sampleRequestOf(template: string): { path: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const path = `/${template
    .replace(/\{\*+(\w+)\}/g, (_all, name: string) => {
      params[name] = 'no/such-path';
      return 'no/such-path';
    })
    .replace(/\{(\w+)\??\}/g, (_all, name: string) => {
      params[name] = `${name}-1`;
      return `${name}-1`;
    })}`;
  return { path, params };
}

export interface InProcessAnswer {
  status: number;
  headers: Headers;
  body: unknown;
  /** What the function wrote through its InvocationContext, as the local host prints it. */
  lines: string[];
}

export async function invokeRoute(
  name: string,
  request: { method: string; path: string; query?: string; headers?: Record<string, string>; params?: Record<string, string> },
): Promise<InProcessAnswer> {
  const fn = getRegisteredFunctions().find((f) => f.metadata.name === name);
  if (!fn) throw new Error(`${name} is not registered`);
  const input = new HttpRequest({
    method: request.method,
    url: `https://vault.local${request.path}${request.query ?? ''}`,
    headers: request.headers ?? {},
    params: request.params ?? {},
  });
  const lines: string[] = [];
  const { result } = await invokeFunction({ fn, input, log: (line) => lines.push(line), reason: 'test' });
  const response = new HttpResponse(result as HttpResponseInit);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : undefined, lines };
}
