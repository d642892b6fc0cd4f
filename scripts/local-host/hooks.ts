import { getRegisteredHooks, type HookName } from './functions-core';

/**
 * Lifecycle hooks registered through `app.hook.*`, run the way the Node worker runs them: in registration
 * order, awaited one after the other, each receiving the same (mutable) context object, so a preInvocation
 * hook can swap the handler or its inputs and a postInvocation hook can change the result or the error.
 */

/** Shared by every hook of the app (`context.appHookData`), like the worker's. */
const appHookData: Record<string, unknown> = {};

export async function runHooks(name: HookName, context: Record<string, unknown>): Promise<void> {
  for (const hook of getRegisteredHooks(name)) {
    await hook.callback(context);
  }
}

export function newHookContext(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { hookData: {}, appHookData, ...extra };
}
