/** Three layers: pure unit tests, storage adapters against Azurite, and the running app driven end to end. */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // The local host stands in for the Functions worker, which provides this module in Azure.
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/scripts/local-host/functions-core.ts' },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

/**
 * One Azurite for every integration and e2e file of a run, each file on a storage account of its own
 * (test/helpers/shared-azurite.ts). Jest runs a project's global setup once, and only when that project has
 * tests to run, so a unit-only run starts no emulator.
 */
const sharedAzurite = {
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
};

module.exports = {
  testTimeout: 60000,
  // One worker per core, not jest's default of one fewer: most of a test's time is spent waiting on Azurite,
  // the queue or an SDK poller, so on 2 cores two workers halve the run (3m37s → 1m53s here).
  maxWorkers: '100%',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, ...sharedAzurite, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, ...sharedAzurite, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
