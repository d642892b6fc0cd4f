/** Three layers: pure unit tests, storage adapters against Azurite, and the running app driven end to end. */

/**
 * swc transpiles the TypeScript (test/helpers/swc-options.cjs; `npm run typecheck` checks the types). On a cold
 * cache, every CI run, it transpiles the repository's ~490 files in well under a second where ts-jest's
 * transpile-only mode took about 9 s of CPU, and no worker loads the TypeScript compiler.
 */
const swc = ['@swc/jest', require('./test/helpers/swc-options.cjs')];

const common = {
  testEnvironment: 'node',
  // The local host stands in for the Functions worker, which provides this module in Azure.
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/scripts/local-host/functions-core.ts' },
  transform: { '^.+\\.ts$': swc },
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
  // More workers than cores: most of an e2e file's time is spent waiting (Azurite, the queue, an SDK poller, a
  // killed host coming back), so on 2 cores a third worker fills the idle CPU. The JS suite on this 2-core
  // machine, idle: 3m10s with 2 workers (1.56 cores busy on average), 2m41s with 3.
  // (A number, not '150%': jest reads a percentage above 100 as a count of workers.)
  maxWorkers: Math.max(2, Math.round(require('node:os').availableParallelism() * 1.5)),
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, ...sharedAzurite, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, ...sharedAzurite, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
