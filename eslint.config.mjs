import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_GLOBALS = { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly' };

/**
 * Layer rules: functions/ (the Functions runtime) → shared/ (product code) → shared/domain (pure). Imports
 * point down only. Relative specifiers are matched as written, so the patterns look for the folder name.
 */
const SHARED_LAYER = {
  paths: [{ name: '@azure/functions', message: 'Only functions/ and the local host know the Functions runtime.' }],
  patterns: [
    {
      regex: '^(\\.\\./)+(functions|scripts)(/|$)',
      message: 'shared/ is the product below functions/ and the scripts (not deployed): it never imports them.',
    },
  ],
};

const DOMAIN_LAYER = {
  paths: SHARED_LAYER.paths,
  patterns: [
    ...SHARED_LAYER.patterns,
    // Domain code is pure: no runtime, no storage, no clock of its own.
    { group: ['@azure/*'], message: 'Domain code is pure: no Azure SDK or runtime.' },
    { regex: '(^|/)storage(/|$)', message: 'Domain code is pure: it never reaches storage.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.local/', '.tmp*/', 'jest.config.js', 'test/helpers/summary-reporter.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // 'smart' still allows `x != null`, the idiom for "neither null nor undefined".
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    // Plain JavaScript run by Node as it is: the launcher (CommonJS) and the examples (ES modules).
    files: ['**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // scripts/ (the local host, the token tool) is not deployed: a function that imported it would fail in Azure.
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+scripts(/|$)', message: 'scripts/ is not deployed: functions/ never imports it.' }] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', SHARED_LAYER] },
  },
  {
    // After the shared/** block: flat config gives a file the options of the last block that sets a rule, so
    // this list repeats the shared restrictions (test/unit/layer-rules.test.ts checks that both bite).
    files: ['shared/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', DOMAIN_LAYER] },
  },
);
