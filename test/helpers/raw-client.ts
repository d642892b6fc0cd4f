/** A thin raw-HTTP client for the wire tests: what a caller without the SDK sends. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface RawClient {
  request(method: string, path: string, body?: unknown, options?: { token?: string | null; query?: string }): Promise<RawResponse>;
}

export const API_VERSION = '2025-07-01';

export function rawClient(baseUrl: string, token: () => Promise<string>): RawClient {
  return {
    async request(method, path, body, options = {}) {
      const bearer = options.token === undefined ? await token() : options.token;
      // The SDK percent-encodes the key; the raw tests do the same so both spellings are exercised.
      const query = options.query ?? `api%2Dversion=${API_VERSION}`;
      const response = await fetch(`${baseUrl}${path}${path.includes('?') ? '&' : '?'}${query}`, {
        method,
        headers: {
          ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
  };
}
