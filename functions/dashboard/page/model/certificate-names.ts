/**
 * The subject and issuer names of a DER certificate (the `cer` member), for the detail view's chain line
 * (subject → issuer). A reader of just enough DER to walk TBSCertificate; anything it cannot read gives
 * undefined rather than a guess.
 */

interface Element {
  tag: number;
  start: number;
  end: number;
}

function read(der: Uint8Array, offset: number): Element {
  const tag = der[offset] as number;
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error('unsupported length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[start + i] as number);
    start += bytes;
  }
  const end = start + length;
  if (end > der.length) throw new Error('truncated');
  return { tag, start, end };
}

function children(der: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = read(der, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
};

function oidOf(bytes: Uint8Array): string {
  const first = bytes[0] as number;
  const parts = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

function nameText(der: Uint8Array, name: Element): string {
  const decoder = new TextDecoder();
  return children(der, name)
    .flatMap((set) => children(der, set))
    .map((attribute) => {
      const [oid, value] = children(der, attribute);
      if (!oid || !value) return '';
      const id = oidOf(der.subarray(oid.start, oid.end));
      return `${ATTRIBUTE_NAMES[id] ?? id}=${decoder.decode(der.subarray(value.start, value.end))}`;
    })
    .filter((part) => part !== '')
    .join(', ');
}

export function certificateNamesOf(der: Uint8Array): { subject: string; issuer: string } | undefined {
  try {
    const certificate = read(der, 0);
    const tbs = children(der, certificate)[0];
    if (!tbs) return undefined;
    const fields = children(der, tbs);
    // An explicit [0] version first, when present; then serial, signature, issuer, validity, subject.
    const at = fields[0]?.tag === 0xa0 ? 1 : 0;
    const issuer = fields[at + 2];
    const subject = fields[at + 4];
    if (!issuer || !subject) return undefined;
    return { subject: nameText(der, subject), issuer: nameText(der, issuer) };
  } catch {
    return undefined;
  }
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
