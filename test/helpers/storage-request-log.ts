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
        const params = new URL(request.url).searchParams;
        const filter = params.get('$filter') ?? undefined;
        const top = params.get('$top');
        const entry: TableRequest = { method: request.method, ...(filter ? { filter } : {}), ...(top ? { top: Number(top) } : {}) };
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
