import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/**
 * Storage requests counted where they leave the bench host: every HTTP request the process sends to Azurite's
 * table or queue endpoint, seen on Node's `http.client.request.start` diagnostics channel, which fires once per
 * request the Azure SDKs' HTTP client creates (so each retry counts, as Azure bills it). Nothing in the app is
 * changed or wrapped; the subscription exists only in bench/host-process.ts. Kinds follow the requests' shape:
 * the app's own requests (table reads, queries, writes, batches; queue sends) and the trigger runtime's
 * (queue receives, including empty polls, and the deletes and visibility updates of messages it handled).
 */
export const STORAGE_KINDS = [
  'tablePointRead',
  'tableQuery',
  'tableWrite',
  'tableBatch',
  'queueSend',
  'queueReceive',
  'queueDelete',
  'queueUpdate',
  /** Creating tables and queues, reading queue properties: set-up, not per operation. */
  'admin',
] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];
export type StorageCounts = Record<StorageKind, number>;

/** The app's requests per operation: what the app itself sends to tables and queues. */
const APP_KINDS: readonly StorageKind[] = ['tablePointRead', 'tableQuery', 'tableWrite', 'tableBatch', 'queueSend'];
/** What the Functions runtime sends on the app's behalf to run its queue triggers (polls included). */
const RUNTIME_KINDS: readonly StorageKind[] = ['queueReceive', 'queueDelete', 'queueUpdate'];

export function zeroCounts(): StorageCounts {
  return Object.fromEntries(STORAGE_KINDS.map((kind) => [kind, 0])) as StorageCounts;
}

/** Which kind of storage request an HTTP request is, from its endpoint, method and path. */
export function storageKindOf(service: 'table' | 'queue', method: string, path: string): StorageKind {
  const pathname = path.split('?')[0] ?? '';
  const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
  if (service === 'table') {
    if (pathname.endsWith('/$batch')) return 'tableBatch';
    // `/account/Tables` (create, list) is set-up; an entity path is `/account/Table` or `/account/Table(…)`.
    if (/\/Tables(\(|$)/.test(pathname)) return 'admin';
    if (method === 'GET') return /\(PartitionKey='.*',RowKey='.*'\)$/.test(decodeURIComponent(pathname)) ? 'tablePointRead' : 'tableQuery';
    return 'tableWrite';
  }
  if (/\/messages\/[^/]+$/.test(pathname)) return method === 'DELETE' ? 'queueDelete' : 'queueUpdate';
  if (pathname.endsWith('/messages')) {
    if (method === 'POST') return 'queueSend';
    if (method === 'GET' && !/peekonly=true/i.test(query)) return 'queueReceive';
  }
  return 'admin';
}

/**
 * Starts counting every request this process sends to the given Azurite endpoints. Cheap enough to stay on
 * for the whole bench: one property lookup and a regular expression per storage request (a few µs beside the
 * hundreds a request costs the host).
 */
export function countStorageRequests(endpoints: { table: string; queue: string }): () => StorageCounts {
  const counts = zeroCounts();
  const services = new Map<string, 'table' | 'queue'>([
    [new URL(endpoints.table).host, 'table'],
    [new URL(endpoints.queue).host, 'queue'],
  ]);
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: ClientRequest };
    const service = services.get(String(request.getHeader('host') ?? `${request.host}`));
    if (service) counts[storageKindOf(service, request.method, request.path)] += 1;
  });
  return () => ({ ...counts });
}

export function countsBetween(before: StorageCounts, after: StorageCounts): StorageCounts {
  return Object.fromEntries(STORAGE_KINDS.map((kind) => [kind, after[kind] - before[kind]])) as StorageCounts;
}

export function addCounts(a: StorageCounts, b: StorageCounts): StorageCounts {
  return Object.fromEntries(STORAGE_KINDS.map((kind) => [kind, a[kind] + b[kind]])) as StorageCounts;
}

/** The app's own storage requests in `counts` (what Azure bills per operation, the trigger runtime's aside). */
export function appRequests(counts: StorageCounts): number {
  return APP_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
}

export function runtimeRequests(counts: StorageCounts): number {
  return RUNTIME_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
}

const LABELS: Record<StorageKind, string> = {
  tablePointRead: 'point reads',
  tableQuery: 'queries',
  tableWrite: 'writes',
  tableBatch: 'batches',
  queueSend: 'queue sends',
  queueReceive: 'receives',
  queueDelete: 'message deletes',
  queueUpdate: 'message updates',
  admin: 'set-up',
};

/** `1 = 1 point reads` style breakdown per operation, kinds with none left out. */
export function describePerOperation(counts: StorageCounts, operations: number): string {
  const per = (kind: StorageKind) => counts[kind] / operations;
  const show = (value: number) => (Number.isInteger(value) ? String(value) : value < 0.01 ? value.toPrecision(1) : value.toFixed(2));
  const app = APP_KINDS.filter((kind) => counts[kind] > 0).map((kind) => `${show(per(kind))} ${LABELS[kind]}`);
  const runtime = RUNTIME_KINDS.filter((kind) => counts[kind] > 0).map((kind) => `${show(per(kind))} ${LABELS[kind]}`);
  const admin = counts.admin > 0 ? `; set-up ${show(per('admin'))}` : '';
  return `${app.join(' + ') || 'none'}${runtime.length > 0 ? `; trigger runtime: ${runtime.join(' + ')}` : ''}${admin}`;
}
