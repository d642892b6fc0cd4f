import type { CertificateProfile } from './certificate-profile';
import { profileExtensions } from './certificate-extensions';
import { parseSubject } from './distinguished-name';
import type { KeyPairDer } from './key-pair';
import type { KeySpec } from './key-spec';
import { signingAlgorithmFor } from './signing-algorithm';
import { importSigningKey } from './webcrypto-provider';
import { x509 } from './x509';

/**
 * A PKCS#10 request (DER) for the profile, signed by the key pair it certifies. The requested SAN, EKU
 * and key usage travel in an extensionRequest attribute so a CA can copy them into the certificate.
 */
export async function createCsr(keyPair: KeyPairDer, spec: KeySpec, profile: CertificateProfile): Promise<Buffer> {
  const subject = parseSubject(profile.subject);
  const extensions = profileExtensions(profile, subject.toJSON().length === 0);
  const { keys, crypto } = await importSigningKey(keyPair.privateKeyPkcs8, spec, keyPair.publicKeySpki);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: subject, keys, signingAlgorithm: signingAlgorithmFor(spec).signParams, extensions },
    crypto,
  );
  return Buffer.from(csr.rawData);
}
