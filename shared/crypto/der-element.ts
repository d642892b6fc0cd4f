/**
 * Where one DER element (tag, length, contents) starts and ends, without decoding it. Certificates must be
 * kept byte for byte (their signature covers the encoding), so code that lifts certificates out of a larger
 * structure slices the original bytes at these boundaries instead of re-encoding what a parser returns.
 */

export const DER_TAG = {
  SEQUENCE: 0x30,
  OBJECT_IDENTIFIER: 0x06,
  /** `[0]` constructed, e.g. SignedData's `certificates [0] IMPLICIT SET OF`. */
  CONTEXT_0: 0xa0,
} as const;

export interface DerElement {
  /** The identifier octet; only the low-tag-number form (one octet) is read. */
  tag: number;
  start: number;
  contentStart: number;
  /** One past the last byte the length declares; may exceed the buffer when the data is truncated. */
  end: number;
}

/**
 * The element at `offset`, or undefined when its header is not DER: a high tag number, BER's
 * indefinite length (0x80), or a length field that does not fit the buffer or is longer than four octets.
 */
export function readDerElement(bytes: Uint8Array, offset = 0): DerElement | undefined {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) return undefined;
  if (first < 0x80) return { tag, start: offset, contentStart: offset + 2, end: offset + 2 + first };
  const count = first & 0x7f;
  if (count === 0 || count > 4 || offset + 2 + count > bytes.length) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (bytes[offset + 2 + i] as number);
  const contentStart = offset + 2 + count;
  return { tag, start: offset, contentStart, end: contentStart + length };
}

/** The elements directly inside a constructed element, in order; undefined if any of them is malformed. */
export function readDerChildren(bytes: Uint8Array, parent: DerElement): DerElement[] | undefined {
  const children: DerElement[] = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const child = readDerElement(bytes, offset);
    if (!child || child.end > parent.end) return undefined;
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** True when BER's indefinite-length form is used at `offset`, which DER forbids: worth its own message. */
export function usesIndefiniteLength(bytes: Uint8Array, offset = 0): boolean {
  return bytes[offset + 1] === 0x80;
}
