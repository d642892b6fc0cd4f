import { pebbleRequired, pebbleUnavailable } from './pebble-server';

/**
 * Pebble for jest test files: everything in ./pebble-server.ts (which needs no jest, so the benchmark uses it
 * too), plus describeWithPebble().
 */
export * from './pebble-server';

/**
 * describe() for tests that need Pebble. Without Pebble: one warning and describe.skip outside CI; in CI a
 * failing test that says what is missing, so a CI machine without Pebble cannot pass by skipping.
 */
export function describeWithPebble(title: string, body: () => void): void {
  const unavailable = pebbleUnavailable();
  if (!unavailable) {
    describe(title, body);
  } else if (pebbleRequired()) {
    describe(title, () => {
      test('Pebble is installed (required when CI=true)', () => {
        throw new Error(`CI must run the ACME tests against Pebble, but ${unavailable}`);
      });
    });
  } else {
    console.warn(`Skipping "${title}": ${unavailable}`);
    describe.skip(title, body);
  }
}
