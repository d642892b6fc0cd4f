import type { TokenSource } from './sign-in/token-source';
import type { KeyVaultErrorBody, Page } from './model/wire';

/**
 * The Key Vault API of this same app, as the page calls it: a bearer token on every call, the newest
 * api-version the service answers (shared/api/api-version.ts; a unit test keeps them equal), and Key Vault's
 * error message on failure.
 */
export const API_VERSION = '2026-04-01';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** `nextLink` names the vault's public URL, which may not be this page's origin: keep only path and query. */
export function sameOriginPath(link: string): string {
  const url = new URL(link, window.location.origin);
  return `${url.pathname}${url.search}`;
}

function withApiVersion(path: string): string {
  if (/[?&]api-version=/.test(path)) return path;
  return `${path}${path.includes('?') ? '&' : '?'}api-version=${API_VERSION}`;
}

export class Api {
  constructor(private readonly tokens: TokenSource) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.tokens.token()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(withApiVersion(path), { method, headers, cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as KeyVaultErrorBody | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? `HTTP${response.status}`, error?.message ?? `${method} ${path} failed with HTTP ${response.status}.`);
    }
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  /** Every item of a Key Vault list, following `nextLink` to the end. */
  async list<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    for (let pages = 0; next && pages < 1000; pages++) {
      const page: Page<T> = await this.get<Page<T>>(next);
      items.push(...(page.value ?? []));
      next = page.nextLink ? sameOriginPath(page.nextLink) : undefined;
    }
    return items;
  }
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < items.length) {
      const index = nextIndex++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
