import { randomBytes } from 'node:crypto';
import { unconstrainedCa, type CertificateProfile, type KeyUsageName } from './certificate-profile';
import { profileExtensions } from './certificate-extensions';
import { parseSubject } from './distinguished-name';
import type { KeySpec } from './key-spec';
import { signingAlgorithmFor } from './signing-algorithm';
import { bufferSource } from './bytes';
import { importSigningKey } from './webcrypto-provider';
import { x509 } from './x509';

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

/** Issues an X.509 v3 certificate (DER) for the profile, signed by `signer`. */
export async function signCertificate(input: SignCertificateInput): Promise<Buffer> {
  const { signer, notBefore, notAfter } = input;
  if (!(notAfter.getTime() > notBefore.getTime())) throw new Error('Certificate notAfter must be later than notBefore');
  const profile = input.isCa ? asCa(input.profile) : input.profile;

  const signingKey = await importSigningKey(signer.privateKeyPkcs8, signer.spec);
  const signerSpki = signingKey.publicKeySpki;
  const issuerCert = signer.certificateDer ? new x509.X509Certificate(bufferSource(signer.certificateDer)) : undefined;
  if (issuerCert && !Buffer.from(issuerCert.publicKey.rawData).equals(signerSpki)) {
    throw new Error("The signer's private key does not belong to the signer's certificate");
  }

  const subject = parseSubject(profile.subject);
  // Copy the issuer's subject bytes verbatim: chain building compares names, and a re-encoded name
  // (say PrintableString turned UTF8String) could stop matching.
  const issuer = issuerCert ? issuerCert.subjectName : subject;

  const extensions: x509.Extension[] = [
    // A CA's basicConstraints comes with the profile's extensions; a leaf states CA:false outright.
    ...(profile.ca ? [] : [new x509.BasicConstraintsExtension(false, undefined, true)]),
    ...profileExtensions(profile, subject.toJSON().length === 0),
    await x509.SubjectKeyIdentifierExtension.create(bufferSource(input.subjectPublicKeySpki), false, signingKey.crypto),
    new x509.AuthorityKeyIdentifierExtension(await authorityKeyId(issuerCert, signerSpki, signingKey.crypto), false),
  ];

  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: normalizeSerialNumber(input.serialNumber),
      subject,
      issuer,
      notBefore,
      notAfter,
      publicKey: bufferSource(input.subjectPublicKeySpki),
      signingKey: signingKey.keys.privateKey,
      signingAlgorithm: signingAlgorithmFor(signer.spec).signParams,
      extensions,
    },
    signingKey.crypto,
  );
  return Buffer.from(certificate.rawData);
}

/** A CA of `profile` as it stands, with the usages without which a CA cannot vouch for what it signs. */
function asCa(profile: CertificateProfile): CertificateProfile {
  return { ...profile, ca: profile.ca ?? unconstrainedCa(), keyUsage: [...new Set([...profile.keyUsage, ...CA_KEY_USAGES])] };
}

/** The issuer's own subjectKeyIdentifier when it has one (that is what verifiers match), else our hash of its key. */
async function authorityKeyId(issuerCert: x509.X509Certificate | undefined, signerSpki: Buffer, crypto: globalThis.Crypto): Promise<string> {
  const ski = issuerCert?.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return ski.keyId;
  const computed = await x509.SubjectKeyIdentifierExtension.create(bufferSource(signerSpki), false, crypto);
  return computed.keyId;
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
