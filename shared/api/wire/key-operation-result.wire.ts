import type { KeyOperationResult } from '../../services/key-operations';
import { keyId } from './identifiers';

/** sign, encrypt, decrypt, wrapKey, unwrapKey answer `{"kid","value"}`, value base64url. */
export function keyOperationResultToWire(vault: string, result: KeyOperationResult): Record<string, unknown> {
  return { kid: keyId(vault, result.version.name, result.version.version), value: result.value.toString('base64url') };
}

/** verify answers only whether the signature is valid. */
export function verifyResultToWire(valid: boolean): Record<string, unknown> {
  return { value: valid };
}
