import type { CertificateVersion } from '../../domain/certificate-version';
import type { SecretContentType } from '../../domain/certificate-policy';
import { keyId, secretId } from './identifiers';

/** The managed secret behind a certificate's `sid`: its value is the PFX (base64) or the PEM text. */
export function secretToWire(
  vault: string,
  version: CertificateVersion,
  value: string,
  contentType: SecretContentType,
): Record<string, unknown> {
  return {
    value,
    id: secretId(vault, version.name, version.version),
    contentType,
    attributes: {
      enabled: version.enabled,
      nbf: version.notBefore,
      exp: version.expires,
      created: version.created,
      updated: version.updated,
      recoveryLevel: 'Purgeable',
    },
    tags: version.tags,
    kid: keyId(vault, version.name, version.version),
    managed: true,
  };
}
