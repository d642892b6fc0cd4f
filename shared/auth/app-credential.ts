import type { TokenCredential } from '@azure/identity';
import { azureIdentity } from '../lazy-packages';

/**
 * The app's own identity in Azure: the user-assigned managed identity when its client id is set, else
 * whatever DefaultAzureCredential finds (the system identity, or the developer's sign-in locally). It signs in
 * to storage, Event Grid and Azure DNS; the service never holds keys for them.
 *
 * @azure/identity is loaded when the first credential is made: an app on connection strings (Azurite, local
 * runs) never needs it, and every module loaded at start is paid by each Functions instance's cold start.
 */
export function appCredential(clientId: string | undefined): TokenCredential {
  const key = clientId ?? '';
  let credential = credentials.get(key);
  if (!credential) {
    const identity = azureIdentity();
    credential = clientId ? new identity.ManagedIdentityCredential({ clientId }) : new identity.DefaultAzureCredential();
    credentials.set(key, credential);
  }
  return credential;
}

/** One credential per identity for the process, so its token is cached once for every client that uses it. */
const credentials = new Map<string, TokenCredential>();
