import { ChainError, type ParsedCertificate, tryParseCertificate } from './certificate-chain';
import { DER_TAG, readDerChildren, readDerElement, usesIndefiniteLength } from './der-element';
import { certificatesOfPkcs7 } from './pkcs7-certificates';

/**
 * Decodes the certificates a caller sent to merge (`x5c`), in the order sent.
 *
 * On the wire each entry is base64, JSON's spelling of bytes (the SDKs base64 whatever bytes they are given).
 * Those bytes may be, as Key Vault takes them:
 * - a DER X.509 certificate;
 * - a DER PKCS#7 certificate bundle (.p7b: SignedData with certificates and no signers), all its certificates;
 * - PEM text with one or more CERTIFICATE or PKCS7 blocks (text outside the blocks is ignored, as OpenSSL does);
 * - base64 text of either DER form, with or without stray BEGIN/END lines. The JS SDK's own merge test sends
 *   the PEM body with its BEGIN line cut off and its END line glued on; the Azure SDK samples send the
 *   base64 text of the DER.
 * Anything else is refused with a ChainError naming the entry (`x5c[1] …`) and what is wrong with it.
 */
export function decodeX5c(x5c: readonly string[]): ParsedCertificate[] {
  if (x5c.length === 0) throw new ChainError('x5c must contain at least one certificate');
  return x5c.flatMap((entry, index) => {
    const decoded = decodeEntry(entry);
    if ('why' in decoded) throw new ChainError(`x5c[${index}] ${decoded.why}`);
    return decoded.certificates;
  });
}

/** Either the certificates, or why not as a phrase that reads after the entry's name ("is truncated: …"). */
type Decoded = { certificates: ParsedCertificate[] } | { why: string };

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'CMS']);
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 #]+)-----([\s\S]*?)-----END \1-----/g;
/** A BEGIN or END line without its partner: what is left when a caller cuts a PEM file by lines. */
const LONE_PEM_MARKER = /-----(?:BEGIN|END) [A-Z0-9 #]+-----/g;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function decodeEntry(entry: string): Decoded {
  if (entry.trim() === '') return { why: 'is empty' };
  const bytes = decodeBase64(entry);
  if ('why' in bytes) {
    const hint = entry.includes('-----BEGIN') ? '; it is PEM text, which x5c carries base64-encoded like any other bytes' : '';
    return { why: `is not base64 (${bytes.why})${hint}` };
  }
  return decodeBytes(bytes.bytes);
}

function decodeBytes(raw: Buffer): Decoded {
  // A DER certificate or bundle starts with a SEQUENCE; no text form can (PEM starts with '-', base64 of DER with 'M').
  if (raw[0] === DER_TAG.SEQUENCE) return decodeDer(raw);
  const bytes = raw.subarray(0, 3).equals(UTF8_BOM) ? raw.subarray(3) : raw;
  if (isText(bytes)) return decodeText(bytes.toString('latin1'));
  return { why: 'is neither a DER certificate or PKCS#7 bundle, nor PEM or base64 text' };
}

/** Exactly one DER element: an X.509 certificate, or a PKCS#7 ContentInfo (whose first field is an OID). */
function decodeDer(der: Buffer): Decoded {
  if (der[0] !== DER_TAG.SEQUENCE) return { why: 'is not a DER certificate or PKCS#7 bundle (both start with a SEQUENCE)' };
  if (usesIndefiniteLength(der)) return { why: 'uses BER indefinite lengths; only DER is accepted' };
  const outer = readDerElement(der);
  if (!outer) return { why: 'is not well-formed DER' };
  if (outer.end > der.length) return { why: `is truncated: its DER header declares ${outer.end} bytes, ${der.length} arrived` };
  if (outer.end < der.length) return { why: `has ${der.length - outer.end} bytes after its DER structure` };

  const firstField = readDerChildren(der, outer)?.[0];
  if (firstField?.tag === DER_TAG.OBJECT_IDENTIFIER) return decodePkcs7(der);
  const certificate = tryParseCertificate(der);
  return certificate ? { certificates: [certificate] } : { why: 'is DER but not a valid X.509 certificate' };
}

function decodePkcs7(der: Buffer): Decoded {
  const bundle = certificatesOfPkcs7(der);
  if ('why' in bundle) return bundle;
  const certificates: ParsedCertificate[] = [];
  for (const [i, certificateDer] of bundle.certificatesDer.entries()) {
    const certificate = tryParseCertificate(certificateDer);
    if (!certificate) return { why: `is a PKCS#7 bundle whose certificate ${i + 1} is not a valid X.509 certificate` };
    certificates.push(certificate);
  }
  return { certificates };
}

function decodeText(text: string): Decoded {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) return decodeHeaderlessBase64(text);

  const certificates: ParsedCertificate[] = [];
  for (const [i, [, label = '', body = '']] of blocks.entries()) {
    const block = `PEM block ${i + 1} (${label})`;
    if (!CERTIFICATE_LABELS.has(label) && !PKCS7_LABELS.has(label)) {
      return { why: `holds ${block}; only CERTIFICATE and PKCS7 blocks can be merged` };
    }
    const der = decodeBase64(body);
    if ('why' in der) return { why: `holds ${block} whose body is not base64 (${der.why})` };
    const decoded = decodeDer(der.bytes);
    if ('why' in decoded) return { why: `holds ${block} that ${decoded.why}` };
    certificates.push(...decoded.certificates);
  }
  return { certificates };
}

function decodeHeaderlessBase64(text: string): Decoded {
  const der = decodeBase64(text.replace(LONE_PEM_MARKER, ''));
  if ('why' in der) return { why: `is text but neither PEM nor base64 (${der.why})` };
  const decoded = decodeDer(der.bytes);
  return 'why' in decoded ? { why: `is base64 text whose decoded content ${decoded.why}` } : decoded;
}

/**
 * Strict standard base64, whitespace allowed anywhere, padding optional. Node's decoder skips junk silently,
 * and a corrupted entry must fail with the place it went wrong instead of decoding into something else.
 */
function decodeBase64(text: string): { bytes: Buffer } | { why: string } {
  const badAt = text.search(/[^A-Za-z0-9+/=\s]/);
  if (badAt >= 0) return { why: `character ${JSON.stringify(text[badAt])} at position ${badAt + 1} is not a base64 digit` };
  const compact = text.replace(/\s+/g, '');
  if (compact === '') return { why: 'there is nothing to decode' };
  const digits = compact.replace(/={1,2}$/, '');
  if (digits.includes('=')) return { why: "'=' padding appears before the end" };
  if (digits.length % 4 === 1) return { why: 'its length is not a whole number of bytes' };
  if (compact.length !== digits.length && compact.length % 4 !== 0) return { why: 'its padding is wrong' };
  return { bytes: Buffer.from(digits, 'base64') };
}

/** Printable ASCII and line whitespace: what PEM and base64 text are made of. */
function isText(bytes: Buffer): boolean {
  return bytes.length > 0 && bytes.every((b) => (b >= 0x20 && b <= 0x7e) || b === 0x09 || b === 0x0a || b === 0x0d);
}
