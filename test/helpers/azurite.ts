import {
  startAzurite as startAzuriteProcess,
  type AzuriteOptions,
  type RunningAzurite,
} from '../../scripts/local-host/azurite';
import { claimSharedAccount } from './shared-azurite';

export type { AzuriteOptions, RunningAzurite };

/**
 * Storage for one test file: call it in `beforeAll` and `await azurite.stop()` in `afterAll`; its
 * `connectionString` works with every storage SDK client. Without options it is an account of its own on the
 * run's shared emulator (see shared-azurite.ts) when there is one; with options, or without a shared emulator,
 * a private in-memory Azurite (queues + tables) on free ports. Set AZURITE_LOG=1 to see the emulator's output.
 */
export function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const shared = Object.keys(options).length === 0 ? claimSharedAccount() : undefined;
  if (shared) return Promise.resolve(shared);
  const log = process.env.AZURITE_LOG ? (line: string) => console.log(line) : undefined;
  return startAzuriteProcess({ ...(log ? { log } : {}), ...options });
}
