import type { JsonAttributeObject, JsonNameParams } from '@peculiar/x509';
import { CertificateProfileError } from './certificate-profile';
import { type X509, x509 } from './x509';

/**
 * Parses the subject strings Key Vault policies carry ("CN=a, O=b", "cn=a", 'O="Acme, Inc."', "CN=a+OU=b")
 * into an X.509 Name. We parse ourselves because @peculiar/x509's string parser is case-sensitive about
 * attribute names and silently mangles some inputs; a subject that would produce a wrong certificate
 * must be a 400 instead.
 *
 * RDNs are encoded in the order written, so the certificate shows the subject as the user typed it.
 * Checking a subject (assertDistinguishedName) needs no @peculiar/x509; encoding one loads it (x509.ts).
 */
export function parseSubject(subject: string): X509.Name {
  const { Name } = x509();
  return new Name(parseToJson(subject));
}

/** Throws `CertificateProfileError` with a readable reason when the subject cannot be encoded. */
export function assertDistinguishedName(subject: string): void {
  parseToJson(subject);
}

/**
 * The canonical spelling of a subject ("cn=a ,o=b" becomes "CN=a, O=b"), which is also how it reads back
 * from the certificate. Parsing the result again yields the same Name.
 */
export function normalizeDistinguishedName(subject: string): string {
  return parseSubject(subject).toString();
}

const OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  SURNAME: '2.5.4.4',
  SN: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  S: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  TITLE: '2.5.4.12',
  POSTALCODE: '2.5.4.17',
  G: '2.5.4.42',
  GIVENNAME: '2.5.4.42',
  I: '2.5.4.43',
  INITIALS: '2.5.4.43',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
  E: '1.2.840.113549.1.9.1',
  EMAIL: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
};
const COUNTRY = OIDS.C;
const IA5_ATTRIBUTES = new Set([OIDS.E, OIDS.DC]);
const OID_PATTERN = /^[0-2](\.(0|[1-9]\d*))+$/;
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const SPECIALS = new Set([',', '+', '"', '\\', '<', '>', ';', '=', ' ', '#']);

interface Attribute {
  oid: string;
  value: string;
}

function fail(subject: string, problem: string): never {
  throw new CertificateProfileError(`"${subject}" is not a valid distinguished name: ${problem}`);
}

function parseToJson(subject: string): JsonNameParams {
  const rdns: Attribute[][] = [];
  let current: Attribute[] = [];
  let i = 0;
  const skipSpaces = (): void => {
    while (subject[i] === ' ') i++;
  };

  skipSpaces();
  if (i === subject.length) return [];

  for (;;) {
    const typeStart = i;
    while (i < subject.length && !'=,+;'.includes(subject[i] ?? '')) i++;
    if (subject[i] !== '=') fail(subject, `expected "=" after "${subject.slice(typeStart, i).trim()}"`);
    const oid = attributeOid(subject, subject.slice(typeStart, i).trim());
    i++;
    skipSpaces();

    if (subject[i] === '#') fail(subject, 'hex-encoded (#...) values are not supported');
    const read = subject[i] === '"' ? readQuoted(subject, i) : readUnquoted(subject, i);
    i = read.end;
    skipSpaces();
    current.push({ oid, value: checkValue(subject, oid, read.value) });

    if (i === subject.length) break;
    const separator = subject[i];
    if (separator !== ',' && separator !== ';' && separator !== '+') fail(subject, `unexpected "${separator}"`);
    i++;
    skipSpaces();
    if (i === subject.length) fail(subject, 'it ends with a separator');
    if (separator !== '+') {
      rdns.push(current);
      current = [];
    }
  }
  rdns.push(current);

  return rdns.map((rdn) => {
    const json: Record<string, JsonAttributeObject[]> = {};
    for (const { oid, value } of rdn) (json[oid] ??= []).push(encodeValue(oid, value));
    return json;
  });
}

function attributeOid(subject: string, type: string): string {
  if (type === '') fail(subject, 'an attribute has no name');
  const upper = type.toUpperCase();
  const dotted = upper.startsWith('OID.') ? type.slice(4) : type;
  if (OID_PATTERN.test(dotted)) return dotted;
  const oid = OIDS[upper];
  if (!oid) fail(subject, `unknown attribute "${type}"`);
  return oid;
}

function readQuoted(subject: string, start: number): { value: string; end: number } {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < subject.length && subject[i] !== '"') {
    if (subject[i] === '\\') i = readEscape(subject, i, bytes);
    else i = pushChar(subject, i, bytes);
  }
  if (subject[i] !== '"') fail(subject, 'a quoted value is not closed');
  return { value: Buffer.from(bytes).toString('utf8'), end: i + 1 };
}

/** RFC 4514 value: backslash escapes (`\,` or `\2C`); unescaped spaces at either end are not part of it. */
function readUnquoted(subject: string, start: number): { value: string; end: number } {
  const bytes: number[] = [];
  let keep = 0;
  let i = start;
  while (i < subject.length && !',+;'.includes(subject[i] ?? '')) {
    if (subject[i] === '\\') {
      i = readEscape(subject, i, bytes);
      keep = bytes.length;
    } else {
      const isSpace = subject[i] === ' ';
      i = pushChar(subject, i, bytes);
      if (!isSpace) keep = bytes.length;
    }
  }
  return { value: Buffer.from(bytes.slice(0, keep)).toString('utf8'), end: i };
}

function readEscape(subject: string, at: number, bytes: number[]): number {
  const next = subject[at + 1];
  if (next === undefined) fail(subject, 'it ends with a lone "\\"');
  const hex = subject.slice(at + 1, at + 3);
  if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
    bytes.push(parseInt(hex, 16));
    return at + 3;
  }
  if (!SPECIALS.has(next)) fail(subject, `"\\${next}" is not a valid escape`);
  bytes.push(next.charCodeAt(0));
  return at + 2;
}

function pushChar(subject: string, at: number, bytes: number[]): number {
  const codePoint = subject.codePointAt(at) ?? 0;
  const char = String.fromCodePoint(codePoint);
  bytes.push(...Buffer.from(char, 'utf8'));
  return at + char.length;
}

function checkValue(subject: string, oid: string, value: string): string {
  if (value === '') fail(subject, 'an attribute has an empty value');
  if (oid === COUNTRY && !/^[A-Za-z]{2}$/.test(value)) {
    fail(subject, `C must be a two-letter country code, not "${value}"`);
  }
  if (IA5_ATTRIBUTES.has(oid) && !/^[\x20-\x7e]*$/.test(value)) fail(subject, `"${value}" must be plain ASCII`);
  return value;
}

/** DirectoryString choice: PrintableString when it fits (widest compatibility), UTF8String otherwise. */
function encodeValue(oid: string, value: string): JsonAttributeObject {
  if (IA5_ATTRIBUTES.has(oid)) return { ia5String: value };
  if (oid === COUNTRY || PRINTABLE.test(value)) return { printableString: value };
  return { utf8String: value };
}
