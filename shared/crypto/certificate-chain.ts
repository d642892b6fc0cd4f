import { createHash, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { bufferSource } from './webcrypto-provider';
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

/** JWK-style `x5c`: each entry standard base64 DER. */
export function parseX5c(x5c: string[]): ParsedCertificate[] {
  if (x5c.length === 0) throw new ChainError('x5c must contain at least one certificate');
  return x5c.map((entry, index) => {
    const der = decodeBase64(entry);
    const parsed = der && tryParse(der);
    if (!parsed) throw new ChainError(`x5c[${index}] is not a valid base64 DER X.509 certificate`);
    return parsed;
  });
}

export function x5tOf(der: Buffer): string {
  return createHash('sha1').update(der).digest('base64url');
}

/**
 * Leaf first, then each certificate's issuer in turn, as far as the set allows. Without an explicit
 * `leaf` (merge knows it from the key), the leaf is a certificate that issued none of the others, the
 * one with the longest issuer path, the earliest on a tie. Certificates not on that path keep their
 * given order at the end, so nothing the caller sent is dropped.
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
  const candidates = certs.filter((c) => !issuedAnother(c));
  let best = candidates[0] ?? certs[0];
  let bestLength = 0;
  for (const candidate of candidates) {
    const length = issuerPath(certs, candidate).length;
    if (length > bestLength) [best, bestLength] = [candidate, length];
  }
  return best as ParsedCertificate;
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
    // OpenSSL (via Node) is the strict check: it rejects trailing bytes and malformed structures that
    // the JavaScript ASN.1 parser would accept. @peculiar/x509 then gives us readable names.
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

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/** Buffer.from(..., 'base64') skips junk silently; a corrupted entry must fail instead of parse oddly. */
function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}
