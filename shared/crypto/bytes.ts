/**
 * WebCrypto and @peculiar/x509 are typed for ArrayBuffer-backed views, and a Node Buffer may sit on a
 * shared pool (ArrayBufferLike), so TypeScript rejects it. This copies into a plain Uint8Array.
 */
export function bufferSource(bytes: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** An exact-length ArrayBuffer copy, for the ASN.1 schema classes that want one. */
export function arrayBufferOf(bytes: Buffer): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}
