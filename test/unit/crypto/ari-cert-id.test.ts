import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { ariCertIdOf, ariCertIdOfCertificate } from '../../../shared/crypto/ari-cert-id';
import { emptySans } from '../../../shared/crypto/certificate-profile';
import { generateKeyPair } from '../../../shared/crypto/key-pair';
import { signCertificate } from '../../../shared/crypto/sign-certificate';

const hex = (colons: string) => Buffer.from(colons.replace(/:/g, ''), 'hex');

describe('the ARI certID (RFC 9773 §4.1)', () => {
  it('is the RFC\'s example for its AKI key id and serial', () => {
    expect(ariCertIdOf(hex('69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4'), hex('00:87:65:43:21'))).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  });

  it('is read from a certificate: its AKI key id, and its serial\'s DER bytes with the leading zero a high bit needs', async () => {
    const spec = { kty: 'EC', curve: 'P-256' } as const;
    const keys = await generateKeyPair(spec);
    const der = await signCertificate({
      subjectPublicKeySpki: keys.publicKeySpki,
      profile: { subject: 'CN=ari.example', sans: emptySans(), ekus: [], keyUsage: ['digitalSignature'] },
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2026-04-01T00:00:00Z'),
      signer: { privateKeyPkcs8: keys.privateKeyPkcs8, spec },
      serialNumber: '876543210f',
    });
    const aki = new x509.X509Certificate(new Uint8Array(der)).getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId;
    expect(new X509Certificate(der).serialNumber).toBe('876543210F');
    expect(ariCertIdOfCertificate(der)).toBe(`${Buffer.from(aki ?? '', 'hex').toString('base64url')}.${Buffer.from('00876543210f', 'hex').toString('base64url')}`);
  });

  it('cannot be made from what is not a certificate', () => {
    expect(ariCertIdOfCertificate(Buffer.from('not a certificate'))).toBeUndefined();
  });
});
