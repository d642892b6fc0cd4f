import { openPrivateKey, sealPrivateKey } from '../crypto/key-encryption';
import type { JsonValue } from '../domain/json-value';
import type { PendingOperation, StoredProviderState } from '../domain/pending-operation';
import type { ProviderState } from '../issuers/issuer-provider';

/**
 * The associated data that binds a provider's sealed state to the one operation (request) it belongs to,
 * so a sealed secret copied onto another operation's row will not open.
 */
export function providerStateBinding(name: string, requestId: string): string {
  return `provider-state:${name.toLowerCase()}/${requestId}`;
}

/** A provider's state as stored on its operation: the secret part sealed with the key-encryption key. */
export function sealProviderState(kek: Buffer, op: Pick<PendingOperation, 'name' | 'requestId'>, state: ProviderState): StoredProviderState {
  if (state.secret === undefined) return { data: state.data };
  const plaintext = Buffer.from(JSON.stringify(state.secret), 'utf8');
  return { data: state.data, sealedSecret: sealPrivateKey(kek, plaintext, providerStateBinding(op.name, op.requestId)) };
}

/** The state as its provider left it; throws KeyDecryptionError when the sealed part does not open. */
export function openProviderState(kek: Buffer, op: Pick<PendingOperation, 'name' | 'requestId'>, stored: StoredProviderState): ProviderState {
  if (stored.sealedSecret === undefined) return { data: stored.data };
  const plaintext = openPrivateKey(kek, stored.sealedSecret, providerStateBinding(op.name, op.requestId));
  return { data: stored.data, secret: JSON.parse(plaintext.toString('utf8')) as JsonValue };
}
