import type { IssuerProvider } from './issuer-provider';

/** How long a Test request waits between looks: it never changes, so the job hardly needs to look at all. */
const TEST_LOOK_AGAIN_SECONDS = 3600;

/**
 * Provider `Test`: never completes by itself, which is what the official SDKs' tests expect of it. Such an
 * operation ends by cancellation, deletion, a merge after cancellation, or the sweep's timeout. Cancelling it
 * needs no call to anyone.
 */
export function testProvider(): IssuerProvider {
  return {
    name: 'Test',
    async start() {
      return { kind: 'pending', state: { data: {} }, retryAfterSeconds: TEST_LOOK_AGAIN_SECONDS };
    },
    async poll(_request, state) {
      return { kind: 'pending', state, retryAfterSeconds: TEST_LOOK_AGAIN_SECONDS };
    },
    async cancel() {
      return { kind: 'cancelled' };
    },
  };
}
