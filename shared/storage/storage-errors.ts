/** A conditional write lost to another writer (ETag mismatch, or the entity already exists). */
export class WriteConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteConflictError';
  }
}

export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const code = (error as { statusCode: unknown }).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/** The storage error code (`ResourceNotFound`, `TableNotFound`, ...), on the error or in its details. */
function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, details } = error as { code?: unknown; details?: { errorCode?: unknown } };
  if (typeof code === 'string') return code;
  return typeof details?.errorCode === 'string' ? details.errorCode : undefined;
}

/**
 * Turns a lost conditional write into WriteConflictError: the ETag is stale (412), the row was created by
 * another writer first (409), or removed by one (404 ResourceNotFound on an ETag-conditional update; a
 * missing table is not a lost race and is rethrown). Everything else is rethrown as is.
 */
export async function conditional<T>(write: Promise<T>, what: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    const status = statusCodeOf(error) ?? statusCodeOf((error as { response?: unknown }).response);
    const removed = status === 404 && errorCodeOf(error) === 'ResourceNotFound';
    if (status === 409 || status === 412 || removed) throw new WriteConflictError(`${what}: another request changed it first`);
    throw error;
  }
}

/** Reads an entity, answering undefined for 404 (and only for 404). */
export async function orUndefinedOn404<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}
