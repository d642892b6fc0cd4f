import { constants, createHash, createPublicKey, publicEncrypt, verify } from 'node:crypto';
import { KeyVaultError } from '../../../shared/api/key-vault-error';
import { createCertificate } from '../../../shared/services/create-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { decryptWithKey, encryptWithKey, getManagedKey, signWithKey, verifyWithKey } from '../../../shared/services/key-operations';
import { memoryServiceContext } from '../../helpers/service-context';

type Setup = ReturnType<typeof memoryServiceContext>;

async function issue(setup: Setup, name: string, keyProps: Record<string, unknown>, keyUsage?: string[], enabled = true): Promise<string> {
  const op = await createCertificate(setup.ctx, name, {
    policy: { key_props: keyProps, x509_props: { subject: `CN=${name}`, ...(keyUsage ? { key_usage: keyUsage } : {}) }, issuer: { name: 'Self' } },
    attributes: { enabled },
  });
  for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
  return op.version;
}

/** The key as Node sees it, from the JWK the service publishes: an independent checker of what the service does. */
async function nodePublicKey(setup: Setup, name: string) {
  const { jwk } = await getManagedKey(setup.ctx, name, undefined);
  // Node names Key Vault's P-256K by its JOSE name.
  const jwkForNode = jwk.kty === 'EC' && jwk.crv === 'P-256K' ? { ...jwk, crv: 'secp256k1' } : jwk;
  return createPublicKey({ key: jwkForNode, format: 'jwk' });
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; inner?: string; message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof KeyVaultError)) throw new Error(`expected a KeyVaultError, got ${String(error)}`);
  return { status: error.status, code: error.code, message: error.message, ...(error.innerCode ? { inner: error.innerCode } : {}) };
}

const message = Buffer.from('signed by the certificate key');
const ALL_USAGES = ['digitalSignature', 'keyEncipherment', 'dataEncipherment'];

describe('the managed key behind a certificate', () => {
  it('publishes the public JWK with key_ops from the key usage, never the private part', async () => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'rsa-default', { kty: 'RSA', key_size: 2048 });
    const key = await getManagedKey(setup.ctx, 'rsa-default', version);
    expect(key.jwk.kty).toBe('RSA');
    expect(Object.keys(key.jwk).sort()).toEqual(['e', 'kty', 'n']);
    expect(key.keyOps).toEqual(['sign', 'verify', 'wrapKey', 'unwrapKey']);
    expect(key.version).not.toHaveProperty('sealedPrivateKey');

    await issue(setup, 'ec-key', { kty: 'EC', crv: 'P-384' });
    const ec = await getManagedKey(setup.ctx, 'ec-key', undefined);
    expect(ec.jwk).toMatchObject({ kty: 'EC', crv: 'P-384' });
    expect(ec.keyOps).toEqual(['sign', 'verify']);
  });

  it('answers KeyNotFound for a missing name or version', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'present', { kty: 'EC', crv: 'P-256' });
    expect(await refusal(getManagedKey(setup.ctx, 'absent', undefined))).toMatchObject({ status: 404, code: 'KeyNotFound' });
    expect(await refusal(getManagedKey(setup.ctx, 'present', '0123456789abcdef0123456789abcdef'))).toMatchObject({
      status: 404,
      code: 'KeyNotFound',
      message: expect.stringContaining('A key with (name/id) present/0123456789abcdef0123456789abcdef was not found'),
    });
  });
});

describe('signing and verifying with the key', () => {
  it.each([
    ['RSA', { kty: 'RSA', key_size: 2048 }, ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']],
    ['EC P-256', { kty: 'EC', crv: 'P-256' }, ['ES256']],
    ['EC P-384', { kty: 'EC', crv: 'P-384' }, ['ES384']],
    ['EC P-521', { kty: 'EC', crv: 'P-521' }, ['ES512']],
    ['EC P-256K', { kty: 'EC', crv: 'P-256K' }, ['ES256K']],
  ])('%s: Node verifies each signature, and the service verifies it too', async (_kind, keyProps, algorithms) => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'signer', keyProps);
    const publicKey = await nodePublicKey(setup, 'signer');
    for (const alg of algorithms) {
      const hash = alg.endsWith('384') ? 'sha384' : alg.endsWith('512') ? 'sha512' : 'sha256';
      const digest = createHash(hash).update(message).digest();
      const { value: signature, version: used } = await signWithKey(setup.ctx, 'signer', version, alg, digest);
      expect(used.version).toBe(version);
      const padding = alg.startsWith('PS') ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digest.length } : {};
      const encoding = alg.startsWith('ES') ? { dsaEncoding: 'ieee-p1363' as const } : {};
      expect(verify(hash, message, { key: publicKey, ...padding, ...encoding }, signature)).toBe(true);
      expect(await verifyWithKey(setup.ctx, 'signer', version, alg, digest, signature)).toBe(true);
      expect(await verifyWithKey(setup.ctx, 'signer', version, alg, createHash(hash).update('other').digest(), signature)).toBe(false);
    }
  });

  it('refuses an algorithm that does not suit the key, and a digest of the wrong size', async () => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'p256', { kty: 'EC', crv: 'P-256' });
    const digest = createHash('sha256').update(message).digest();
    expect(await refusal(signWithKey(setup.ctx, 'p256', version, 'ES384', digest))).toMatchObject({
      status: 400,
      code: 'BadParameter',
      message: 'Algorithm ES384 cannot sign or verify with this EC P-256 key; use ES256.',
    });
    expect(await refusal(signWithKey(setup.ctx, 'p256', version, 'RS256', digest))).toMatchObject({ status: 400 });
    expect(await refusal(signWithKey(setup.ctx, 'p256', version, 'ES256', digest.subarray(1)))).toMatchObject({
      status: 400,
      message: 'The digest for ES256 must be 32 bytes, not 31.',
    });
  });

  it('refuses what key_ops do not allow (403 KeyOperationForbidden) and a disabled key (403 KeyDisabled)', async () => {
    const setup = memoryServiceContext();
    const wrapOnly = await issue(setup, 'wrap-only', { kty: 'RSA', key_size: 2048 }, ['keyEncipherment']);
    const digest = createHash('sha256').update(message).digest();
    expect(await refusal(signWithKey(setup.ctx, 'wrap-only', wrapOnly, 'RS256', digest))).toEqual({
      status: 403,
      code: 'Forbidden',
      inner: 'KeyOperationForbidden',
      message: 'Operation sign is not permitted on this key.',
    });
    expect(await refusal(encryptWithKey(setup.ctx, 'encrypt', 'wrap-only', wrapOnly, 'RSA-OAEP', Buffer.from('x')))).toMatchObject({
      status: 403,
      message: 'Operation encrypt is not permitted on this key.',
    });

    const disabled = await issue(setup, 'disabled', { kty: 'EC', crv: 'P-256' }, undefined, false);
    expect((await getManagedKey(setup.ctx, 'disabled', disabled)).version.enabled).toBe(false);
    expect(await refusal(signWithKey(setup.ctx, 'disabled', disabled, 'ES256', digest))).toEqual({
      status: 403,
      code: 'Forbidden',
      inner: 'KeyDisabled',
      message: 'Operation sign is not allowed on a disabled key.',
    });
  });
});

describe('encrypting and wrapping with an RSA key', () => {
  const secret = Buffer.from('a 32-byte content-encryption key');

  it.each([
    ['RSA-OAEP', 'sha1'],
    ['RSA-OAEP-256', 'sha256'],
  ])('%s: what Node encrypts with the public JWK, the service decrypts and unwraps', async (alg, oaepHash) => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'box', { kty: 'RSA', key_size: 2048 }, ALL_USAGES);
    const publicKey = await nodePublicKey(setup, 'box');
    const ciphertext = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, secret);
    expect((await decryptWithKey(setup.ctx, 'decrypt', 'box', version, alg, ciphertext)).value).toEqual(secret);
    expect((await decryptWithKey(setup.ctx, 'unwrapKey', 'box', version, alg, ciphertext)).value).toEqual(secret);

    const { value: wrapped } = await encryptWithKey(setup.ctx, 'wrapKey', 'box', version, alg, secret);
    expect((await decryptWithKey(setup.ctx, 'unwrapKey', 'box', version, alg, wrapped)).value).toEqual(secret);
  });

  it('encrypts with RSA1_5 but refuses to decrypt with it; a tampered ciphertext is a 400 that reveals nothing', async () => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'legacy', { kty: 'RSA', key_size: 2048 }, ALL_USAGES);
    const { value } = await encryptWithKey(setup.ctx, 'encrypt', 'legacy', version, 'RSA1_5', secret);
    expect(value).toHaveLength(256);
    expect(await refusal(decryptWithKey(setup.ctx, 'decrypt', 'legacy', version, 'RSA1_5', value))).toMatchObject({
      status: 400,
      code: 'BadParameter',
      message: expect.stringContaining('use RSA-OAEP or RSA-OAEP-256'),
    });

    const { value: sealed } = await encryptWithKey(setup.ctx, 'encrypt', 'legacy', version, 'RSA-OAEP', secret);
    sealed[5] = (sealed[5] ?? 0) ^ 1;
    expect(await refusal(decryptWithKey(setup.ctx, 'decrypt', 'legacy', version, 'RSA-OAEP', sealed))).toEqual({
      status: 400,
      code: 'BadParameter',
      message: 'The value could not be decrypted with RSA-OAEP and this key.',
    });
  });

  it('refuses to encrypt with an EC key', async () => {
    const setup = memoryServiceContext();
    const version = await issue(setup, 'ec-box', { kty: 'EC', crv: 'P-256' }, ['digitalSignature', 'dataEncipherment']);
    expect(await refusal(encryptWithKey(setup.ctx, 'encrypt', 'ec-box', version, 'RSA-OAEP', secret))).toMatchObject({
      status: 400,
      message: expect.stringContaining('cannot encrypt with this EC P-256 key'),
    });
  });
});
