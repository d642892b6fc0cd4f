import { createHash, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { bufferSource } from './bytes';
import { readDerElement } from './der-element';
import { x509 } from './x509';

/** Parsing and ordering of caller-supplied certificates, for merge and import (decoding merge's x5c: certificate-input.ts). */

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
  const parsed = tryParseCertificate(der);
  if (!parsed) throw new ChainError('The data is not a valid DER X.509 certificate');
  return parsed;
}

export function x5tOf(der: Buffer): string {
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

/** The certificate in `der`, or undefined when `der` is anything but exactly one valid DER X.509 certificate. */
export function tryParseCertificate(der: Buffer): ParsedCertificate | undefined {
  try {
    // OpenSSL (via Node) is the strict structural check; neither it nor @peculiar/x509 objects to bytes
    // after the certificate, which would otherwise be silently kept in `der` and served back later.
    if (readDerElement(der)?.end !== der.length) return undefined;
    new NodeX509Certificate(der);
    const cert = new (x509().X509Certificate)(bufferSource(der));
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

/**
 * The chain of a certificate a CA held here just signed, as the secret and `x5c` carry it: the new
 * certificate, then the CA's own chain as stored with the CA (the CA first, up to its root when held).
 */
export function issuedChain(issuedDer: Buffer, caChainDer: readonly Buffer[]): Buffer[] {
  const issued = parseCertificate(issuedDer);
  const caChain = caChainDer.map(parseCertificate);
  if (caChain[0]?.subject !== issued.issuer) {
    throw new ChainError(`The certificate's issuer '${issued.issuer}' is not the subject of the CA chain's first certificate`);
  }
  return orderLeafFirst([issued, ...caChain], issued).map((c) => c.der);
}
