/**
 * A stand-in for `@azure/functions-core`, the module the Azure Functions Node.js worker provides at runtime.
 *
 * `@azure/functions` (`app.http`, `app.storageQueue`, `app.timer`, ...) hands every registration to this
 * module: the metadata it passes is exactly what the real worker would forward to the Functions host, so the
 * local host serves the same routes, queues and schedules as Azure does. Node resolves the bare specifier to
 * this file through `resolve-functions-core.ts`; jest does it through `moduleNameMapper`.
 *
 * Registrations are process-global on purpose: function modules are loaded once per process (per jest test
 * file), so clearing the registry would lose functions whose modules cannot register again.
 */

/** The binding shape `toCoreFunctionMetadata` produces: the trigger options spread next to type/direction. */
export interface RpcBindingInfo {
  type?: string | null;
  direction?: 'in' | 'out' | 'inout' | null;
  dataType?: 'undefined' | 'string' | 'binary' | 'stream' | null;
  /** Trigger/binding options (route, methods, queueName, schedule, ...); validated where they are used. */
  [option: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

/** In v4 the worker calls the handler as `handler(triggerInput, invocationContext)`. */
export type FunctionCallback = (...args: unknown[]) => unknown;

export interface RegisteredFunction {
  readonly metadata: FunctionMetadata;
  readonly handler: FunctionCallback;
  /**
   * Source files on the call stack when the function registered (outside node_modules). The host uses them
   * to serve only the functions of the modules it was asked to load, whoever required those modules first.
   */
  readonly sourceFiles: readonly string[];
}

export interface Disposable {
  dispose(): void;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export type HookCallback = (context: Record<string, unknown>) => void | Promise<void>;

export interface RegisteredHook {
  readonly name: string;
  readonly callback: HookCallback;
}

/** `@azure/functions`' ProgrammingModel; the local host invokes handlers directly and only keeps it for inspection. */
export interface ProgrammingModel {
  name: string;
  version: string;
  [member: string]: unknown;
}

export const version = '4.0.0-local-host';
export const hostVersion = '4.0.0-local-host';

const functions = new Map<string, RegisteredFunction>();
const hooks: RegisteredHook[] = [];
let programmingModel: ProgrammingModel | undefined;

function disposable(onDispose: () => void): Disposable {
  let disposed = false;
  return {
    dispose() {
      if (!disposed) onDispose();
      disposed = true;
    },
  };
}

export function registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
  if (typeof metadata?.name !== 'string' || metadata.name.length === 0) {
    throw new Error('registerFunction: metadata.name is required');
  }
  if (typeof callback !== 'function') {
    throw new Error(`registerFunction: function "${metadata.name}" has no handler`);
  }
  // Function names are case-insensitive in the Functions host (they become URLs and log scopes).
  const key = metadata.name.toLowerCase();
  if (functions.has(key)) {
    throw new Error(`A function with name "${metadata.name}" has already been registered.`);
  }
  functions.set(key, { metadata, handler: callback, sourceFiles: callerSourceFiles() });
  return disposable(() => functions.delete(key));
}

export function registerHook(hookName: string, callback: HookCallback): Disposable {
  const hook: RegisteredHook = { name: hookName, callback };
  hooks.push(hook);
  return disposable(() => {
    const index = hooks.indexOf(hook);
    if (index >= 0) hooks.splice(index, 1);
  });
}

export function setProgrammingModel(model: ProgrammingModel): void {
  programmingModel = model;
}

export function getProgrammingModel(): ProgrammingModel {
  if (!programmingModel) throw new Error('No programming model has been set (no function registered yet).');
  return programmingModel;
}

/**
 * The library logs its own diagnostics here (`workerSystemLog`). Its presence also tells `app.setup()` that
 * the host is new enough for HTTP streaming, as a real v4.28+ host would.
 */
let systemLogSink: (level: string, category: string, message: string) => void = (level, category, message) => {
  if (level === 'warning' || level === 'error' || level === 'critical') console.warn(`[${category}] ${level}: ${message}`);
};

export function log(level: string, category: string, message: string): void {
  systemLogSink(level, category, message);
}

/** Lets the local host route the library's system logs into its own log. */
export function setSystemLogSink(sink: (level: string, category: string, message: string) => void): void {
  systemLogSink = sink;
}

export function getRegisteredFunctions(): readonly RegisteredFunction[] {
  return [...functions.values()];
}

export function getRegisteredHooks(name: HookName): readonly RegisteredHook[] {
  return hooks.filter((hook) => hook.name === name);
}

/** Files of the stack frames that led to a registration, read from V8 call sites rather than parsed text. */
function callerSourceFiles(): string[] {
  const originalPrepare = Error.prepareStackTrace;
  const originalLimit = Error.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  try {
    Error.stackTraceLimit = 50;
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.captureStackTrace(holder, registerFunction);
    const sites = Array.isArray(holder.stack) ? (holder.stack as NodeJS.CallSite[]) : [];
    const files = sites
      .map((site) => site.getFileName())
      .filter((file): file is string => !!file && !file.includes('node_modules') && !file.startsWith('node:'));
    return [...new Set(files)];
  } finally {
    Error.prepareStackTrace = originalPrepare;
    Error.stackTraceLimit = originalLimit;
  }
}
