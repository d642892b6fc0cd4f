/** Jest global teardown: stops the run's shared Azurite (global setup and teardown share this process). */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { sharedAzurite?: { stop(): Promise<void> } }).sharedAzurite?.stop();
}
