import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { CertificateClient, type CertificatePolicy } from '@azure/keyvault-certificates';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * The managed key behind a certificate's `kid`, through the official keys SDK over HTTPS: KeyClient.getKey,
 * and CryptographyClient built from the `kid` as a user holding a non-exportable key would use it. The SDK
 * does some operations locally with the public key it fetched (RSA-OAEP encrypt and wrap, RSA verifyData);
 * sign, verify, decrypt, unwrapKey and the RSA-OAEP-256 operations go to the service.
 */
let service: ServiceUnderTest;
/** What every client here needs against the local host: its CA, and the challenge's local resource accepted. */
const run = Date.now().toString(36);

beforeAll(async () => {
  service = await startService();
});
afterAll(() => service?.stop());

async function createCertificate(name: string, policy: CertificatePolicy): Promise<string> {
  const client = new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
  const poller = await client.beginCreateCertificate(name, policy, { intervalInMs: 100 });
  const certificate = await poller.pollUntilDone();
  if (!certificate.keyId) throw new Error(`${name} has no kid`);
  return certificate.keyId;
}

const message = Buffer.from('signed through the SDK');

it('KeyClient.getKey returns the certificate key as a managed public JWK, key_ops from the key usage', async () => {
  const name = `sdk-key-${run}`;
  const kid = await createCertificate(name, { issuerName: 'Self', subject: 'CN=sdk-key', keyType: 'RSA', keySize: 2048 });
  const key = await new KeyClient(service.httpsUrl, service.credential, service.sdkOptions).getKey(name);
  expect(key.id).toBe(kid);
  expect(key.keyType).toBe('RSA');
  expect(key.keyOperations).toEqual(['sign', 'verify', 'wrapKey', 'unwrapKey']);
  expect(key.properties.managed).toBe(true);
  expect(key.key?.n?.length).toBe(256);
  expect(key.key?.d).toBeUndefined();
});

it('CryptographyClient signs and verifies with an RSA certificate key (RS256 and PS256)', async () => {
  const name = `sdk-rsa-sign-${run}`;
  const kid = await createCertificate(name, { issuerName: 'Self', subject: 'CN=sdk-rsa', keyType: 'RSA', keySize: 2048 });
  const crypto = new CryptographyClient(kid, service.credential, service.sdkOptions);
  // Node's crypto, given the public key the SDK read, checks the signatures independently of the service.
  const jwk = (await new KeyClient(service.httpsUrl, service.credential, service.sdkOptions).getKey(name)).key;
  const base64url = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('base64url');
  const publicKey = createPublicKey({ key: { kty: 'RSA', n: base64url(jwk?.n), e: base64url(jwk?.e) }, format: 'jwk' });
  const digest = createHash('sha256').update(message).digest();
  for (const algorithm of ['RS256', 'PS256'] as const) {
    const signed = await crypto.sign(algorithm, digest);
    expect(signed.keyID).toBe(kid);
    expect((await crypto.verify(algorithm, digest, signed.result)).result).toBe(true);
    expect((await crypto.verify(algorithm, createHash('sha256').update('tampered').digest(), signed.result)).result).toBe(false);
    const padding = algorithm === 'PS256' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {};
    expect(verify('sha256', message, { key: publicKey, ...padding }, Buffer.from(signed.result))).toBe(true);
  }
});

it('CryptographyClient signs and verifies with an EC certificate key (ES256 on P-256, ES384 on P-384)', async () => {
  for (const [curve, algorithm, hash] of [['P-256', 'ES256', 'sha256'], ['P-384', 'ES384', 'sha384']] as const) {
    const kid = await createCertificate(`sdk-ec-${curve.slice(2)}-${run}`, { issuerName: 'Self', subject: 'CN=sdk-ec', keyType: 'EC', keyCurveName: curve });
    const crypto = new CryptographyClient(kid, service.credential, service.sdkOptions);
    const digest = createHash(hash).update(message).digest();
    const signed = await crypto.sign(algorithm, digest);
    expect((await crypto.verify(algorithm, digest, signed.result)).result).toBe(true);
    expect((await crypto.verify(algorithm, createHash(hash).update('tampered').digest(), signed.result)).result).toBe(false);
  }
});

it('CryptographyClient encrypts and decrypts, wraps and unwraps with an RSA key whose usage allows it', async () => {
  const kid = await createCertificate(`sdk-rsa-box-${run}`, {
    issuerName: 'Self',
    subject: 'CN=sdk-box',
    keyType: 'RSA',
    keySize: 2048,
    keyUsage: ['digitalSignature', 'keyEncipherment', 'dataEncipherment'],
  });
  const crypto = new CryptographyClient(kid, service.credential, service.sdkOptions);
  const plaintext = Buffer.from('a content-encryption key, 32 by');
  for (const algorithm of ['RSA-OAEP', 'RSA-OAEP-256'] as const) {
    const encrypted = await crypto.encrypt({ algorithm, plaintext });
    expect(Buffer.from((await crypto.decrypt({ algorithm, ciphertext: encrypted.result })).result)).toEqual(plaintext);
    const wrapped = await crypto.wrapKey(algorithm, plaintext);
    expect(Buffer.from((await crypto.unwrapKey(algorithm, wrapped.result)).result)).toEqual(plaintext);
  }
});
