/**
 * Table storage keeps values serialized, so a reader never shares an object with a writer and properties
 * set to `undefined` do not survive; a JSON round trip gives the in-memory stores the same behaviour.
 */
export function storedCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Opaque, never reused ETags, in the weak form Table storage uses. */
export function etagFactory(): () => string {
  let counter = 0;
  return () => `W/"memory-${++counter}"`;
}
