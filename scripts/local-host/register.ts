/**
 * Side-effect entry that installs the `@azure/functions-core` resolver: import it first (main.ts does), or
 * preload it with `node -r ./dist/scripts/local-host/register.js` for other scripts that load function modules.
 */
import { installFunctionsCoreResolver } from './resolve-functions-core';

installFunctionsCoreResolver();
