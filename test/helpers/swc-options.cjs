// @ts-check
'use strict';
/**
 * How swc transpiles the repository's TypeScript for the tests: jest's transform (jest.config.js) and the child
 * processes tests start (transpile-on-require.cjs). Transpile only, file by file: `npm run typecheck` checks the
 * types, and tsconfig.json's isolatedModules keeps every file transpilable on its own. The options mirror
 * tsconfig.json: ES2022, CommonJS, and a dynamic `import()` kept as one (jose is ESM-only: shared/auth/jose.ts).
 */
module.exports = {
  jsc: { parser: { syntax: /** @type {const} */ ('typescript') }, target: /** @type {const} */ ('es2022') },
  module: { type: /** @type {const} */ ('commonjs'), ignoreDynamic: true },
  // Inline: jest maps stack traces through it to .ts lines; a child process does under --enable-source-maps (off by
  // default: it costs a child start about a quarter of a second).
  sourceMaps: /** @type {const} */ ('inline'),
};
