import { x509 as peculiarX509 } from '../../shared/crypto/x509';
import { generateKeyPair } from '../../shared/crypto/key-pair';
import type { KeySpec } from '../../shared/crypto/key-spec';
import { signCertificate } from '../../shared/crypto/sign-certificate';

/** @peculiar/x509 as the app loads it (reflect-metadata first, the P-256K-capable provider set). */
const x509 = peculiarX509();

/** A CA of the user's choice, out of band: what signs the CSR of a manual (Unknown) request. */
export interface TestCa {
  certificateDer: Buffer;
  privateKeyPkcs8: Buffer;
  spec: KeySpec;
  sign(csrBase64: string): Promise<Buffer>;
}

export async function createTestCa(subject = 'CN=Test Root CA, O=Tests'): Promise<TestCa> {
  const spec: KeySpec = { kty: 'EC', curve: 'P-256' };
  const keys = await generateKeyPair(spec);
  const now = Date.now();
  const certificateDer = await signCertificate({
    subjectPublicKeySpki: keys.publicKeySpki,
    profile: { subject, sans: { dnsNames: [], emails: [], upns: [], uris: [], ipAddresses: [] }, ekus: [], keyUsage: ['keyCertSign', 'cRLSign'] },
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 365 * 86_400_000),
    signer: { privateKeyPkcs8: keys.privateKeyPkcs8, spec },
    isCa: true,
  });
  return {
    certificateDer,
    privateKeyPkcs8: keys.privateKeyPkcs8,
    spec,
    async sign(csrBase64: string) {
      const csr = new x509.Pkcs10CertificateRequest(new Uint8Array(Buffer.from(csrBase64, 'base64')));
      return signCertificate({
        subjectPublicKeySpki: Buffer.from(csr.publicKey.rawData),
        profile: { subject: csr.subject, sans: { dnsNames: [], emails: [], upns: [], uris: [], ipAddresses: [] }, ekus: ['1.3.6.1.5.5.7.3.1'], keyUsage: ['digitalSignature'] },
        notBefore: new Date(now - 3_600_000),
        notAfter: new Date(now + 90 * 86_400_000),
        signer: { privateKeyPkcs8: keys.privateKeyPkcs8, spec, certificateDer },
      });
    },
  };
}
