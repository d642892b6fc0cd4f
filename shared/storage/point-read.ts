import {
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
  RestError,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';

/**
 * A point read of one entity sent straight through the table client's own pipeline: the same retry policy,
 * deadline and storage-fault mapping (shared/storage/clients.ts), the same signing, request id and user agent
 * as every other call of that client. What it leaves out is the generated client's operation machinery
 * (request serialization from parameter mappers, response header and body deserialization through the
 * mappers, the tracing span): about a quarter of an SDK `getEntity`'s client CPU (bench/point-read-cpu.ts).
 *
 * Only for tables whose entities hold strings, booleans and 32-bit numbers (no Int64, DateTime, Binary or
 * Guid properties): the response asks for no OData metadata, so such a property would come back as its
 * plain JSON value rather than the SDK's typed one. The ETag is the response's ETag header, which is the row's
 * (Azure sends it on every read of one entity by its keys; the SDK's own header mapper for it names it).
 */

/** Shared by the table clients (clients.ts) and these reads: one connection pool per process. */
let sharedHttpClient: HttpClient | undefined;
export function tablesHttpClient(): HttpClient {
  sharedHttpClient ??= createDefaultHttpClient();
  return sharedHttpClient;
}

/** An OData key literal inside `PartitionKey='…'`: single quotes doubled, then URL-encoded as the SDK does. */
function keyLiteral(key: string): string {
  return encodeURIComponent(key.replace(/'/g, "''"));
}

/** The entity as the SDK's getEntity gives it for such tables: keys and ETag renamed, properties as stored. */
export type ReadEntity<T> = T & { partitionKey: string; rowKey: string; etag: string; timestamp?: string };

interface ServiceErrorBody {
  'odata.error'?: { code?: string; message?: { value?: string } };
}

/** An answer other than 200 or 404 as the SDK would throw it: a RestError with the status and storage's error code. */
function errorOf(request: PipelineRequest, response: PipelineResponse): RestError {
  let parsed: ServiceErrorBody | undefined;
  try {
    parsed = response.bodyAsText ? (JSON.parse(response.bodyAsText) as ServiceErrorBody) : undefined;
  } catch {
    // Not storage's JSON (a proxy's page, say): the status says enough.
  }
  const code = parsed?.['odata.error']?.code;
  const message = parsed?.['odata.error']?.message?.value ?? `Table storage answered ${response.status}`;
  return new RestError(message, { statusCode: response.status, ...(code ? { code } : {}), request, response });
}

/** The entity, or undefined when storage answers 404 (no such row, or no such table: as orUndefinedOn404). */
export async function readEntity<T extends object>(client: TableClient, partitionKey: string, rowKey: string): Promise<ReadEntity<T> | undefined> {
  const url = `${client.url}/${encodeURIComponent(client.tableName)}(PartitionKey='${keyLiteral(partitionKey)}',RowKey='${keyLiteral(rowKey)}')`;
  const request = createPipelineRequest({
    url,
    method: 'GET',
    headers: createHttpHeaders({ Accept: 'application/json;odata=nometadata', 'x-ms-version': '2019-02-02', DataServiceVersion: '3.0' }),
    allowInsecureConnection: url.startsWith('http:'),
  });
  const response = await client.pipeline.sendRequest(tablesHttpClient(), request);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw errorOf(request, response);
  // The client's deserialization policy has parsed the JSON body already (it does for any JSON response).
  const body = (response as { parsedBody?: unknown }).parsedBody ?? JSON.parse(response.bodyAsText ?? '{}');
  const { PartitionKey, RowKey, Timestamp, ...properties } = body as Record<string, unknown>;
  const etag = response.headers.get('etag');
  // Without it no conditional write could follow this read: fail here rather than write unconditionally later.
  if (!etag) throw new RestError('Table storage answered a point read without an ETag', { statusCode: response.status, request, response });
  return {
    ...(properties as T),
    partitionKey: PartitionKey as string,
    rowKey: RowKey as string,
    etag,
    ...(typeof Timestamp === 'string' ? { timestamp: Timestamp } : {}),
  };
}
