import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_GLOBALS = { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly' };

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
    // Domain code is pure: no runtime, no storage, no clock of its own.
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@azure/*', '../storage/*', '../../functions/*'] }],
    },
  },
  {
    // Only functions/ and the local host know the Functions runtime.
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['@azure/functions'] }] },
  },
);
