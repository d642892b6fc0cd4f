import * as vm from 'node:vm';

/**
 * jose 6 ships only as an ES module, and this app compiles to CommonJS, so a static `import ... from 'jose'`
 * would become a `require()` (TS1479). Everything in `shared/auth` reaches jose through this loader instead:
 * a real dynamic `import()`, which Node and the Functions host support from CommonJS.
 *
 * Jest (without `--experimental-vm-modules`, on Node < 24.9) runs test code in a `vm` context that refuses
 * dynamic imports with `ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG`. Only in that case the loader retries
 * through Node's own loader in the main context (`vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER`, Node
 * 20.12+). jose then lives in the host realm: its errors are not `instanceof` the test realm's `Error`, which
 * is why the auth code tells jose errors apart by their `code` only.
 */
export type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

let loading: Promise<Jose> | undefined;

export function loadJose(): Promise<Jose> {
  loading ??= importJose().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

const VM_IMPORT_REFUSED = new Set(['ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING', 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG']);

async function importJose(): Promise<Jose> {
  try {
    return await import('jose');
  } catch (error) {
    if (!VM_IMPORT_REFUSED.has(errorCode(error) ?? '')) throw error;
    const script = new vm.Script("import('jose')", {
      filename: __filename,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    return (await script.runInThisContext()) as Jose;
  }
}

/** The `code` of an error from any realm (jose's errors carry one, e.g. `ERR_JWT_EXPIRED`). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
