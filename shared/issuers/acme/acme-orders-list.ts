import { createHash } from 'node:crypto';
import type * as acme from 'acme-client';

/**
 * The account's list of orders (RFC 8555 §7.1.2.1, the account object's `orders` URL), used to find an order
 * a crashed run placed but never saved (docs/acme.md, "A host that dies"). Not every CA serves it (Let's
 * Encrypt's Boulder does not; Pebble does), and a CA may split it into pages: both read as "unknown", and the
 * provider then orders as before.
 *
 * acme-client 5.4 has no public call for the list: `api.apiRequest` is the signed POST-as-GET its own public
 * methods use, reached here through a narrow cast, in this one place.
 */

/** The most URLs a snapshot keeps (a few kilobytes of digests on the operation's row). */
const MAX_LISTED_ORDERS = 2_000;

interface SignedApi {
  apiRequest(url: string, payload: null, validStatusCodes: number[]): Promise<{ data: unknown; headers: Record<string, unknown> }>;
}

/** An order URL's short digest: what the ordering intent keeps instead of the URL itself. */
export function orderDigest(url: string): string {
  return createHash('sha256').update(url).digest('base64url').slice(0, 12);
}

/** The account's order URLs, or undefined when the CA does not list them whole. */
export async function listAccountOrders(client: acme.Client): Promise<string[] | undefined> {
  const account = (await client.updateAccount({})) as { orders?: unknown };
  if (typeof account.orders !== 'string') return undefined;
  const api = (client as unknown as { api: SignedApi }).api;
  const response = await api.apiRequest(account.orders, null, [200]);
  const link = response.headers.link;
  if (typeof link === 'string' && /rel="?next"?/.test(link)) return undefined;
  const orders = (response.data as { orders?: unknown }).orders;
  if (!Array.isArray(orders) || orders.length > MAX_LISTED_ORDERS || !orders.every((url) => typeof url === 'string')) return undefined;
  return orders as string[];
}
