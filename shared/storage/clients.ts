import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import type { StorageConfig } from '../config';

/**
 * The one place that builds storage clients: a connection string locally (Azurite), the managed identity in
 * Azure. Shared keys are never used in Azure (the account refuses them).
 */
function credentialFor(clientId: string | undefined): TokenCredential {
  return clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}

export function makeTableClient(storage: StorageConfig, table: string): TableClient {
  if (storage.kind === 'connectionString') {
    // Azurite speaks plain HTTP on loopback.
    return TableClient.fromConnectionString(storage.connectionString, table, { allowInsecureConnection: true });
  }
  return new TableClient(storage.tableServiceUri, table, credentialFor(storage.clientId));
}

export function makeQueueClient(storage: StorageConfig, queue: string): QueueClient {
  if (storage.kind === 'connectionString') return new QueueClient(storage.connectionString, queue);
  return new QueueClient(`${storage.queueServiceUri.replace(/\/+$/, '')}/${queue}`, credentialFor(storage.clientId));
}
