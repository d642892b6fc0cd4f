/** Three layers: pure unit tests, storage adapters against Azurite, and the running app driven end to end. */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // The local host stands in for the Functions worker, which provides this module in Azure.
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/scripts/local-host/functions-core.ts' },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

module.exports = {
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
