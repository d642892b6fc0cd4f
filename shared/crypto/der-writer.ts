/**
 * DER encoding by hand, for the few fixed structures the app signs on every create (a CSR's
 * CertificationRequestInfo, a certificate's TBSCertificate): concatenating bytes costs a few microseconds,
 * where building the same structure through the ASN.1 schema library costs milliseconds. Parts that are
 * already DER (a name, an extension, a public key) go in as they are, byte for byte.
 */

export const DER = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function lengthOctets(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One element: tag, definite length, contents (the parts, concatenated). */
export function derElement(tag: number, ...parts: readonly Uint8Array[]): Buffer {
  const contents = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), lengthOctets(contents.length), contents]);
}

export function derSequence(...parts: readonly Uint8Array[]): Buffer {
  return derElement(DER.SEQUENCE, ...parts);
}

export function derSet(...parts: readonly Uint8Array[]): Buffer {
  return derElement(DER.SET, ...parts);
}

/** `[n]` constructed: EXPLICIT tagging, or IMPLICIT tagging of a SEQUENCE or SET (its parts are the contents). */
export function derContext(n: number, ...parts: readonly Uint8Array[]): Buffer {
  return derElement(0xa0 | n, ...parts);
}

/** `[n]` primitive: IMPLICIT tagging of a string-like value (an OCTET STRING's bytes, say). */
export function derContextPrimitive(n: number, contents: Uint8Array): Buffer {
  return derElement(0x80 | n, contents);
}

/** A non-negative INTEGER from its unsigned big-endian magnitude: leading zeros dropped, one 0x00 kept when the top bit is set. */
export function derUnsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const first = trimmed[0] ?? 0;
  return derElement(DER.INTEGER, first >= 0x80 || trimmed.length === 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export function derSmallInteger(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0x7f) throw new RangeError(`derSmallInteger takes 0..127, not ${value}`);
  return derElement(DER.INTEGER, Buffer.from([value]));
}

export function derOctetString(contents: Uint8Array): Buffer {
  return derElement(DER.OCTET_STRING, contents);
}

/** A BIT STRING of whole octets (no unused bits), as signatures and key identifiers are. */
export function derBitString(octets: Uint8Array): Buffer {
  return derElement(DER.BIT_STRING, Buffer.from([0]), octets);
}

export function derOid(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) {
    throw new Error(`"${oid}" is not an object identifier`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [arc % 128];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) base128.unshift(0x80 | value % 128);
    bytes.push(...base128);
  }
  return derElement(DER.OBJECT_IDENTIFIER, Buffer.from(bytes));
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * RFC 5280's Time: UTCTime through 2049, GeneralizedTime from 2050, both in whole seconds (any
 * milliseconds dropped), as the ASN.1 library the app used before encodes it.
 */
export function derTime(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  if (year <= 2049) return derElement(DER.UTC_TIME, Buffer.from(`${two(year % 100)}${rest}`, 'latin1'));
  return derElement(DER.GENERALIZED_TIME, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'latin1'));
}
