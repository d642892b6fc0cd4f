import { createHash, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { bufferSource } from './bytes';
import { x509 } from './x509';

/** Parsing and ordering of caller-supplied certificates, for merge and import. */

export interface ParsedCertificate {
  der: Buffer;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  publicKeySpki: Buffer;
  /** Upper-case hex, as OpenSSL and Windows print it. */
  serialNumber: string;
  /** base64url SHA-1 of the DER, no padding (Key Vault's `x5t`). */
  x5t: string;
}

/** Input certificates the caller got wrong. The message is meant for them; the API maps it to HTTP 400. */
export class ChainError extends Error {
  override readonly name = 'ChainError';
}

export function parseCertificate(der: Buffer): ParsedCertificate {
  const parsed = tryParse(der);
  if (!parsed) throw new ChainError('The data is not a valid DER X.509 certificate');
  return parsed;
}

/**
 * JWK-style `x5c`: each entry standard base64 DER. Also accepted, because real Key Vault accepts them
 * and the Azure SDK samples send them: an entry that is base64 of the base64 text of the DER (what
 * `mergeCertificate(name, [Buffer.from(base64Crt)])` produces), or base64 of PEM text, which may hold
 * several certificates (a full chain) that are then all taken, in order.
 */
export function parseX5c(x5c: string[]): ParsedCertificate[] {
  if (x5c.length === 0) throw new ChainError('x5c must contain at least one certificate');
  return x5c.flatMap((entry, index) => {
    const parsed = parseX5cEntry(entry);
    if (!parsed) throw new ChainError(`x5c[${index}] is not a valid base64 DER X.509 certificate`);
    return parsed;
  });
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

function parseX5cEntry(entry: string): ParsedCertificate[] | undefined {
  const bytes = decodeBase64(entry);
  if (!bytes) return undefined;
  const direct = tryParse(bytes);
  if (direct) return [direct];

  const text = bytes.toString('latin1');
  const pemBodies = [...text.matchAll(PEM_CERTIFICATE)].map((m) => m[1] ?? '');
  const bodies = pemBodies.length > 0 ? pemBodies : [text];
  const certs = bodies.map((body) => {
    const der = decodeBase64(body);
    return der && tryParse(der);
  });
  return certs.every((c) => c !== undefined) ? (certs as ParsedCertificate[]) : undefined;
}

function x5tOf(der: Buffer): string {
  return createHash('sha1').update(der).digest('base64url');
}

/**
 * Leaf first, then each certificate's issuer in turn, as far as the set allows. Without an explicit
 * `leaf` (merge knows it from the key), the leaf is a certificate that issued none of the others: the
 * one with the longest issuer path, preferring one that is not self-issued, then the earliest.
 * Certificates not on that path keep their given order at the end, so nothing the caller sent is dropped.
 */
export function orderLeafFirst(certs: ParsedCertificate[], leaf?: ParsedCertificate): ParsedCertificate[] {
  if (certs.length === 0) return [];
  const start = leaf && certs.includes(leaf) ? leaf : guessLeaf(certs);
  const path = issuerPath(certs, start);
  return [...path, ...certs.filter((c) => !path.includes(c))];
}

function guessLeaf(certs: ParsedCertificate[]): ParsedCertificate {
  const issuedAnother = (c: ParsedCertificate): boolean =>
    certs.some((o) => o !== c && !isSelfIssued(o) && o.issuer === c.subject);
  // Longest issuer path wins; on a tie a self-issued certificate (a root) is the less likely leaf.
  const score = (c: ParsedCertificate): number => issuerPath(certs, c).length * 2 + (isSelfIssued(c) ? 0 : 1);
  let best = certs[0] as ParsedCertificate;
  let bestScore = -1;
  for (const candidate of certs.filter((c) => !issuedAnother(c))) {
    const candidateScore = score(candidate);
    if (candidateScore > bestScore) [best, bestScore] = [candidate, candidateScore];
  }
  return best;
}

function issuerPath(certs: ParsedCertificate[], start: ParsedCertificate): ParsedCertificate[] {
  const path: ParsedCertificate[] = [];
  for (let current: ParsedCertificate | undefined = start; current !== undefined; ) {
    path.push(current);
    if (isSelfIssued(current)) break;
    const issuerName: string = current.issuer;
    current = certs.find((c) => !path.includes(c) && c.subject === issuerName);
  }
  return path;
}

/** The certificate for this key pair; compares SPKI DER bytes exactly. */
export function findLeafForKey(certs: ParsedCertificate[], publicKeySpki: Buffer): ParsedCertificate | undefined {
  return certs.find((c) => c.publicKeySpki.equals(publicKeySpki));
}

function isSelfIssued(cert: ParsedCertificate): boolean {
  return cert.subject === cert.issuer;
}

function tryParse(der: Buffer): ParsedCertificate | undefined {
  try {
    // OpenSSL (via Node) is the strict structural check; neither it nor @peculiar/x509 objects to bytes
    // after the certificate, which would otherwise be silently kept in `der` and served back later.
    if (derElementLength(der) !== der.length) return undefined;
    new NodeX509Certificate(der);
    const cert = new x509.X509Certificate(bufferSource(der));
    return {
      der: Buffer.from(der),
      subject: cert.subject,
      issuer: cert.issuer,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      publicKeySpki: Buffer.from(cert.publicKey.rawData),
      serialNumber: cert.serialNumber.toUpperCase(),
      x5t: x5tOf(der),
    };
  } catch {
    return undefined;
  }
}

/** Total length (header + contents) of the DER element at the start of `der`, if it is well-formed. */
function derElementLength(der: Buffer): number | undefined {
  const first = der[1];
  if (der.length < 2 || first === undefined) return undefined;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || der.length < 2 + count) return undefined;
  const length = der.readUIntBE(2, count);
  return 2 + count + length;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/** Buffer.from(..., 'base64') skips junk silently; a corrupted entry must fail instead of parse oddly. */
function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}
