import type { CertificateVersion } from '../../domain/certificate-version';
import type { SecretContentType } from '../../domain/certificate-policy';
import type { Recovery } from '../../domain/soft-delete';
import { versionAttributesToWire } from './certificate-bundle.wire';
import { keyId, secretId } from './identifiers';

/** The managed secret behind a certificate's `sid`: its value is the PFX (base64) or the PEM text. */
export function secretToWire(
  vault: string,
  recovery: Recovery,
  version: CertificateVersion,
  value: string,
  contentType: SecretContentType,
): Record<string, unknown> {
  return {
    value,
    id: secretId(vault, version.name, version.version),
    contentType,
    attributes: versionAttributesToWire(version, recovery),
    tags: version.tags,
    kid: keyId(vault, version.name, version.version),
    managed: true,
  };
}
