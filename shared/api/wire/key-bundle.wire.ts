import type { ManagedKey } from '../../services/key-operations';
import { versionAttributesToWire } from './certificate-bundle.wire';
import { keyId } from './identifiers';

/** The managed key behind a certificate's `kid`: public JWK only, `key_ops` from the policy's key usage. */
export function keyToWire(vault: string, key: ManagedKey): Record<string, unknown> {
  const { version } = key;
  return {
    key: { kid: keyId(vault, version.name, version.version), ...key.jwk, key_ops: key.keyOps },
    attributes: { ...versionAttributesToWire(version), exportable: version.exportable },
    tags: version.tags,
    managed: true,
  };
}
