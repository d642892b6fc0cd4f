import { createHash, randomBytes } from 'node:crypto';
import { unconstrainedCa, type CertificateProfile, type KeyUsageName } from './certificate-profile';
import { profileExtensions } from './certificate-extensions';
import { parseSubject } from './distinguished-name';
import type { KeySpec } from './key-spec';
import { bufferSource } from './bytes';
import { type ParsedCertificate, x5tOf } from './certificate-chain';
import { readDerChildren, readDerElement } from './der-element';
import {
  DER,
  derBitString,
  derContext,
  derContextPrimitive,
  derElement,
  derOctetString,
  derOid,
  derSequence,
  derSmallInteger,
  derTime,
  derUnsignedInteger,
} from './der-writer';
import { signatureAlgorithmDer, signingKeyOf, signWith } from './signing-key';
import { type X509, x509 } from './x509';

export interface CertificateSigner {
  privateKeyPkcs8: Buffer;
  spec: KeySpec;
  /** The signer's own certificate; absent means self-signed (issuer name = subject). */
  certificateDer?: Buffer;
}

export interface SignCertificateInput {
  subjectPublicKeySpki: Buffer;
  profile: CertificateProfile;
  notBefore: Date;
  notAfter: Date;
  /** Hex; a random positive 16-byte serial when absent. */
  serialNumber?: string;
  signer: CertificateSigner;
  /** Makes an unconstrained CA of a profile that does not say it is one (`profile.ca` says more). */
  isCa?: boolean;
}

/** The usages without which a CA certificate cannot vouch for what it signs. */
const CA_KEY_USAGES: readonly KeyUsageName[] = ['keyCertSign', 'cRLSign'];

/**
 * Issues an X.509 v3 certificate (DER) for the profile, signed by `signer`. The TBSCertificate is assembled
 * as DER by hand around the parts that already are DER (names, extensions, the subject's key) and signed with
 * Node's crypto: the ASN.1 schema library and WebCrypto cost a create milliseconds for the same bytes.
 */
export async function signCertificate(input: SignCertificateInput): Promise<Buffer> {
  return (await issueCertificate(input)).der;
}

/**
 * signCertificate, with the certificate described as parseCertificate would describe it: its fields are
 * known here, so the issuer job need not parse what was just built (a parse costs more than the signing).
 */
export async function issueCertificate(input: SignCertificateInput): Promise<ParsedCertificate> {
  const { signer, notBefore, notAfter } = input;
  if (!(notAfter.getTime() > notBefore.getTime())) throw new Error('Certificate notAfter must be later than notBefore');
  const profile = input.isCa ? asCa(input.profile) : input.profile;

  const signingKey = signingKeyOf(signer.privateKeyPkcs8, signer.spec);
  const signerSpki = signingKey.publicKeySpki;
  const issuerCert = signer.certificateDer ? new (x509().X509Certificate)(bufferSource(signer.certificateDer)) : undefined;
  if (issuerCert && !Buffer.from(issuerCert.publicKey.rawData).equals(signerSpki)) {
    throw new Error("The signer's private key does not belong to the signer's certificate");
  }

  const subject = parseSubject(profile.subject);
  // Copy the issuer's subject bytes verbatim: chain building compares names, and a re-encoded name
  // (say PrintableString turned UTF8String) could stop matching.
  const issuer = issuerCert ? issuerCert.subjectName : subject;

  const extensions: Uint8Array[] = [
    // A CA's basicConstraints comes with the profile's extensions; a leaf states CA:false outright.
    ...(profile.ca ? [] : [LEAF_BASIC_CONSTRAINTS]),
    ...profileExtensions(profile, subject.toJSON().length === 0).map((extension) => new Uint8Array(extension.rawData)),
    subjectKeyIdExtension(keyIdOf(input.subjectPublicKeySpki)),
    authorityKeyIdExtension(authorityKeyId(issuerCert, signerSpki)),
  ];

  const signatureAlgorithm = signatureAlgorithmDer(signer.spec);
  const serialNumber = normalizeSerialNumber(input.serialNumber);
  const tbs = derSequence(
    derContext(0, derSmallInteger(2)),
    derUnsignedInteger(Buffer.from(serialNumber, 'hex')),
    signatureAlgorithm,
    new Uint8Array(issuer.toArrayBuffer()),
    derSequence(derTime(notBefore), derTime(notAfter)),
    new Uint8Array(subject.toArrayBuffer()),
    input.subjectPublicKeySpki,
    derContext(3, derSequence(...extensions)),
  );
  const signature = await signWith(signingKey, tbs);
  const der = derSequence(tbs, signatureAlgorithm, derBitString(signature));
  return {
    der,
    subject: subject.toString(),
    issuer: issuerCert ? issuerCert.subject : subject.toString(),
    // Time holds whole seconds.
    notBefore: new Date(Math.floor(notBefore.getTime() / 1000) * 1000),
    notAfter: new Date(Math.floor(notAfter.getTime() / 1000) * 1000),
    publicKeySpki: Buffer.from(input.subjectPublicKeySpki),
    serialNumber: serialNumber.toUpperCase(),
    x5t: x5tOf(der),
  };
}

/** basicConstraints, critical, with the default cA FALSE (which DER leaves out): an empty SEQUENCE. */
const LEAF_BASIC_CONSTRAINTS = derSequence(derOid('2.5.29.19'), derElement(DER.BOOLEAN, Buffer.from([0xff])), derOctetString(derSequence()));
const SUBJECT_KEY_IDENTIFIER = derOid('2.5.29.14');
const AUTHORITY_KEY_IDENTIFIER = derOid('2.5.29.35');

function subjectKeyIdExtension(keyId: Buffer): Buffer {
  return derSequence(SUBJECT_KEY_IDENTIFIER, derOctetString(derOctetString(keyId)));
}

/** authorityKeyIdentifier with only its keyIdentifier ([0] IMPLICIT OCTET STRING), not critical. */
function authorityKeyIdExtension(keyId: Buffer): Buffer {
  return derSequence(AUTHORITY_KEY_IDENTIFIER, derOctetString(derSequence(derContextPrimitive(0, keyId))));
}

/** RFC 5280 4.2.1.2 method (1): the SHA-1 of the subjectPublicKey BIT STRING's value (unused-bits octet aside). */
export function keyIdOf(spki: Buffer): Buffer {
  const outer = readDerElement(spki);
  const parts = outer && readDerChildren(spki, outer);
  const bitString = parts?.[1];
  if (!bitString || bitString.tag !== DER.BIT_STRING) throw new Error('The public key is not a DER SubjectPublicKeyInfo');
  return createHash('sha1').update(spki.subarray(bitString.contentStart + 1, bitString.end)).digest();
}

/** A CA of `profile` as it stands, with the usages without which a CA cannot vouch for what it signs. */
function asCa(profile: CertificateProfile): CertificateProfile {
  return { ...profile, ca: profile.ca ?? unconstrainedCa(), keyUsage: [...new Set([...profile.keyUsage, ...CA_KEY_USAGES])] };
}

/** The issuer's own subjectKeyIdentifier when it has one (that is what verifiers match), else our hash of its key. */
function authorityKeyId(issuerCert: X509.X509Certificate | undefined, signerSpki: Buffer): Buffer {
  const ski = issuerCert?.getExtension(x509().SubjectKeyIdentifierExtension);
  return ski ? Buffer.from(ski.keyId, 'hex') : keyIdOf(signerSpki);
}

/**
 * RFC 5280: a positive integer of at most 20 octets. The random default keeps the top bit clear so it
 * is positive without a pad byte, and sets the next bit so it is always exactly 16 octets.
 */
export function normalizeSerialNumber(serialNumber: string | undefined): string {
  if (serialNumber === undefined) {
    const bytes = randomBytes(16);
    bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
    return bytes.toString('hex');
  }
  if (!/^[0-9a-fA-F]+$/.test(serialNumber)) throw new Error(`Serial number "${serialNumber}" is not hexadecimal`);
  let hex = serialNumber.toLowerCase().replace(/^0+/, '');
  if (hex === '') throw new Error('Serial number must be positive');
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const encodedOctets = hex.length / 2 + (parseInt(hex.slice(0, 2), 16) >= 0x80 ? 1 : 0);
  if (encodedOctets > 20) throw new Error('Serial number must fit in 20 octets');
  return hex;
}
