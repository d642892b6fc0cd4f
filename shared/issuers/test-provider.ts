import type { IssuanceStep, IssuerProvider } from './issuer-provider';

/**
 * Provider `Test`: never completes by itself, which is what the official SDKs' tests expect of it. Such an
 * operation ends by cancellation, deletion, a merge after cancellation, or the sweep's timeout.
 */
export const testProvider: IssuerProvider = {
  async advance(): Promise<IssuanceStep> {
    return { kind: 'pending' };
  },
};
