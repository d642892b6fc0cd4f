import type { ManagedKey } from '../../services/key-operations';
import type { Recovery } from '../../domain/soft-delete';
import { versionAttributesToWire } from './certificate-bundle.wire';
import { keyId } from './identifiers';

/** The managed key behind a certificate's `kid`: public JWK only, `key_ops` from the policy's key usage. */
export function keyToWire(vault: string, recovery: Recovery, key: ManagedKey): Record<string, unknown> {
  const { version } = key;
  return {
    key: { kid: keyId(vault, version.name, version.version), ...key.jwk, key_ops: key.keyOps },
    attributes: { ...versionAttributesToWire(version, recovery), exportable: version.exportable },
    tags: version.tags,
    managed: true,
  };
}
