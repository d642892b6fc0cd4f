import { openPrivateKey } from '../crypto/key-encryption';
import { type KeyPairDer, generateKeyPair, keySpecOfPublicKey } from '../crypto/key-pair';
import type { KeySpec } from '../crypto/key-spec';
import type { CertificatePolicy } from '../domain/certificate-policy';
import type { CertificateHead } from '../storage/repositories';
import { keyBinding } from './new-version';
import type { ServiceContext } from './service-context';

/**
 * The key pair a new version of an issued certificate is made with (create and AutoRenew alike): a new one,
 * unless the policy says `reuse_key` ("the same key pair will be used on certificate renewal") and the latest
 * version has a private key of the kind the policy asks for. A reused key is opened under the latest
 * version's binding and sealed again for the new version (newVersionFields), so each version's sealed key
 * still opens only as that version's. A key of another type or size than the policy now names is not reused:
 * the policy's key properties win over keeping the key.
 */
export async function keyPairForNewVersion(
  ctx: Pick<ServiceContext, 'certificates' | 'keyEncryptionKey'>,
  name: string,
  policy: CertificatePolicy,
  head: CertificateHead | undefined,
): Promise<KeyPairDer> {
  const reused = policy.key.reuseKey && head ? await latestKeyPair(ctx, name, head.latestVersion, policy.key) : undefined;
  return reused ?? generateKeyPair(policy.key);
}

async function latestKeyPair(ctx: Pick<ServiceContext, 'certificates' | 'keyEncryptionKey'>, name: string, latestVersion: string, wanted: KeySpec): Promise<KeyPairDer | undefined> {
  const latest = await ctx.certificates.getVersion(name, latestVersion);
  if (!latest?.sealedPrivateKey) return undefined;
  const publicKeySpki = Buffer.from(latest.publicKeySpki, 'base64');
  if (!sameKeySpec(keySpecOfPublicKey(publicKeySpki), wanted)) return undefined;
  return { privateKeyPkcs8: openPrivateKey(ctx.keyEncryptionKey, latest.sealedPrivateKey, keyBinding(latest.name, latest.version)), publicKeySpki };
}

function sameKeySpec(a: KeySpec | undefined, b: KeySpec): boolean {
  if (!a || a.kty !== b.kty) return false;
  return a.kty === 'RSA' ? b.kty === 'RSA' && a.keySize === b.keySize : b.kty === 'EC' && a.curve === b.curve;
}
