import {
  startAzurite as startAzuriteProcess,
  type AzuriteOptions,
  type RunningAzurite,
} from '../../scripts/local-host/azurite';

export type { AzuriteOptions, RunningAzurite };

/**
 * A private, in-memory Azurite (queues + tables) on free ports for one test file. Start it in `beforeAll`
 * and `await azurite.stop()` in `afterAll`; its `connectionString` works with every storage SDK client.
 * Set AZURITE_LOG=1 to see the emulator's output.
 */
export function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const log = process.env.AZURITE_LOG ? (line: string) => console.log(line) : undefined;
  return startAzuriteProcess({ ...(log ? { log } : {}), ...options });
}
