import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';

type AdditionalPolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number];

/** One request a TableClient sent: what Azure bills (the request) and what decides what it scans (filter, top). */
export interface TableRequest {
  method: string;
  /** `$filter` of a query, decoded; undefined for point reads and writes. */
  filter?: string;
  top?: number;
  /** Entities in the response of a query. */
  returned?: number;
  /** Present (true) on an entity-group transaction: one request, however many rows it writes. */
  batch?: true;
}

/**
 * Records every request of the table clients it builds, so tests can state a cost in Azure's terms (Azurite
 * scans every query, so its timings say nothing): requests made, and that each query is a key range with `$top`.
 */
export function tableRequestLog() {
  const requests: TableRequest[] = [];
  const policy: AdditionalPolicy = {
    position: 'perCall',
    policy: {
      name: 'tableRequestLog',
      async sendRequest(request, next) {
        const url = new URL(request.url);
        const filter = url.searchParams.get('$filter') ?? undefined;
        const top = url.searchParams.get('$top');
        const batch = url.pathname.endsWith('/$batch');
        const entry: TableRequest = { method: request.method, ...(filter ? { filter } : {}), ...(top ? { top: Number(top) } : {}), ...(batch ? { batch } : {}) };
        // Recorded even when it fails (a 404 point read is billed too): the SDK throws those from later policies.
        try {
          const response = await next(request);
          if (request.method === 'GET' && filter !== undefined && response.bodyAsText) {
            const body = JSON.parse(response.bodyAsText) as { value?: unknown[] };
            entry.returned = body.value?.length ?? 0;
          }
          return response;
        } finally {
          requests.push(entry);
        }
      },
    },
  };
  return {
    requests,
    /** A TableClient on Azurite whose requests land in `requests`. */
    tableClient(connectionString: string, table: string): TableClient {
      return TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true, additionalPolicies: [policy] });
    },
    clear() {
      requests.length = 0;
    },
  };
}

/** A filter Azure answers by seeking a key range: it compares only PartitionKey and RowKey. */
export function isKeyRangeFilter(filter: string): boolean {
  const withoutStrings = filter.replace(/'(?:[^']|'')*'/g, "''");
  const properties = withoutStrings.match(/\b[A-Za-z_][A-Za-z0-9_]*(?=\s+(?:eq|ne|gt|ge|lt|le)\b)/g) ?? [];
  return properties.length > 0 && properties.every((p) => p === 'PartitionKey' || p === 'RowKey');
}

/** One call a QueueClient made (one request each, retries aside): `sendMessage`, `createIfNotExists`… */
export interface QueueRequest {
  queue: string;
  method: string;
}

/**
 * Records every call made on the queue clients it wraps, so a test can count queue requests beside table ones.
 * At the client's method level (each is one request to the queue service when nothing is retried): the queue
 * SDK's pipeline has no per-call hook as simple as the tables' `additionalPolicies`.
 */
export function queueRequestLog() {
  const requests: QueueRequest[] = [];
  return {
    requests,
    wrap<T extends object>(client: T, queue: string): T {
      return new Proxy(client, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== 'function' || typeof property !== 'string') return value;
          return (...args: unknown[]) => {
            requests.push({ queue, method: property });
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
    clear() {
      requests.length = 0;
    },
  };
}
