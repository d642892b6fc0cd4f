import type { CertificateProfile } from './certificate-profile';
import { profileExtensions } from './certificate-extensions';
import { derBitString, derContext, derOid, derSequence, derSet, derSmallInteger } from './der-writer';
import { parseSubject } from './distinguished-name';
import type { KeyPairDer } from './key-pair';
import type { KeySpec } from './key-spec';
import { signatureAlgorithmDer, signingKeyOf, signWith } from './signing-key';

/** PKCS#9 extensionRequest: the attribute that carries the extensions a CSR asks for. */
const EXTENSION_REQUEST = derOid('1.2.840.113549.1.9.14');

/**
 * A PKCS#10 request (DER) for the profile, signed by the key pair it certifies. The requested SAN, EKU
 * and key usage travel in an extensionRequest attribute so a CA can copy them into the certificate.
 * Assembled as DER by hand around the parts that already are DER (the subject, the extensions, the key).
 */
export async function createCsr(keyPair: KeyPairDer, spec: KeySpec, profile: CertificateProfile): Promise<Buffer> {
  const subject = parseSubject(profile.subject);
  const extensions = profileExtensions(profile, subject.toJSON().length === 0);
  const key = signingKeyOf(keyPair.privateKey ?? keyPair.privateKeyPkcs8, spec, keyPair.publicKeySpki);
  const attributes = extensions.length > 0 ? [derSequence(EXTENSION_REQUEST, derSet(derSequence(...extensions.map((e) => new Uint8Array(e.rawData)))))] : [];
  const info = derSequence(
    derSmallInteger(0),
    new Uint8Array(subject.toArrayBuffer()),
    key.publicKeySpki,
    // attributes [0] IMPLICIT SET OF Attribute, present (possibly empty) as PKCS#10 requires.
    derContext(0, ...attributes),
  );
  const signature = await signWith(key, info);
  return derSequence(info, signatureAlgorithmDer(spec), derBitString(signature));
}
