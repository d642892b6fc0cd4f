import { startSharedAzurite } from './shared-azurite';

/** Jest global setup (integration and e2e projects): one Azurite for the run; see shared-azurite.ts. */
export default async function globalSetup(): Promise<void> {
  (globalThis as { sharedAzurite?: { stop(): Promise<void> } }).sharedAzurite = await startSharedAzurite();
}
