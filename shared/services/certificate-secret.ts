import { errors } from '../api/errors';
import { openPrivateKey } from '../crypto/key-encryption';
import { buildPem, buildPfx } from '../crypto/secret-encoding';
import type { SecretContentType } from '../domain/certificate-policy';
import type { CertificateVersion } from '../domain/certificate-version';
import { keyBinding } from './new-version';
import { getIssuedVersion } from './certificate-reads';
import type { ServiceContext } from './service-context';

export interface SecretValue {
  version: CertificateVersion;
  value: string;
  contentType: SecretContentType;
}

/**
 * The managed secret of a certificate version: PFX (empty password, base64) or PEM, per the policy's
 * content type or the `outContentType` the caller asked for. The private key is left out when the key is
 * not exportable.
 */
export async function getCertificateSecret(
  ctx: ServiceContext,
  name: string,
  version: string | undefined,
  outContentType: SecretContentType | undefined,
): Promise<SecretValue> {
  const found = await getIssuedVersion(ctx, name, version);
  if (!found.enabled) throw errors.secretDisabled();
  const privateKeyPkcs8 =
    found.exportable && found.sealedPrivateKey
      ? openPrivateKey(ctx.keyEncryptionKey, found.sealedPrivateKey, keyBinding(found.name, found.version))
      : undefined;
  const certificatesDer = found.chain.map((c) => Buffer.from(c, 'base64'));
  const contentType = outContentType ?? found.secretContentType;
  const material = { ...(privateKeyPkcs8 ? { privateKeyPkcs8 } : {}), certificatesDer };
  const value =
    contentType === 'application/x-pem-file' ? buildPem(material) : (await buildPfx(material)).toString('base64');
  return { version: found, value, contentType };
}
