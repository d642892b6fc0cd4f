import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { InvocationContext, type FunctionOutput, type FunctionTrigger, type LogLevel } from '@azure/functions';
import { isLogged, parseLogLevel, type LogLevel as AppLogLevel } from '../../shared/log-level';
import type { FunctionCallback, RegisteredFunction } from './functions-core';
import { newHookContext, runHooks } from './hooks';

/**
 * One function invocation as the Node worker performs it: a fresh InvocationContext, preInvocation hooks,
 * `handler(triggerInput, context)`, postInvocation hooks. Every trigger (HTTP, queue, timer) goes through here
 * so hooks and logging behave the same whatever started the function.
 */

export interface InvocationOutcome {
  invocationId: string;
  result: unknown;
}

export interface InvokeOptions {
  fn: RegisteredFunction;
  input: unknown;
  triggerMetadata?: Record<string, unknown>;
  log: (line: string) => void;
  /** Why the function runs, for the log line ("HTTP GET /x", "New queue message ..."), as Core Tools prints it. */
  reason: string;
}

/** The Functions levels in LOG_LEVEL's words; 'none' is never written. */
const AS_APP_LEVEL: Record<LogLevel, AppLogLevel | undefined> = {
  trace: 'debug',
  debug: 'debug',
  information: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
  none: undefined,
};

/**
 * LOG_LEVEL as the app reads it (validated at start-up by main.ts; a bad value here means the default).
 * Read on every line so a change takes effect; parsed only when it changed (it is asked twice per request).
 */
let parsedLevel: { setting: string | undefined; level: AppLogLevel } | undefined;
function logThreshold(): AppLogLevel {
  const setting = process.env.LOG_LEVEL;
  if (parsedLevel === undefined || parsedLevel.setting !== setting) parsedLevel = { setting, level: parseLogLevel(setting) ?? 'info' };
  return parsedLevel.level;
}

function logs(level: AppLogLevel | undefined): boolean {
  return level !== undefined && isLogged(level, logThreshold());
}

type EffectiveOptions = { trigger: FunctionTrigger; return?: FunctionOutput };

/** Built once per registration, as the worker does when it loads a function, not on every invocation. */
const optionsByFunction = new WeakMap<RegisteredFunction, EffectiveOptions>();

function effectiveOptions(fn: RegisteredFunction): EffectiveOptions {
  let options = optionsByFunction.get(fn);
  if (!options) {
    options = describeBindings(fn);
    optionsByFunction.set(fn, options);
  }
  return options;
}

function describeBindings(fn: RegisteredFunction): EffectiveOptions {
  let trigger: FunctionTrigger = { type: 'unknown', name: 'unknown' };
  let output: FunctionOutput | undefined;
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    // What the worker shows functions in context.options: the binding's own options, minus RPC plumbing.
    const described: FunctionTrigger = { ...binding, name, type: binding.type ?? 'unknown' };
    delete described.direction;
    delete described.properties;
    if (binding.direction === 'in' && /trigger$/i.test(binding.type ?? '')) trigger = described;
    if (name === '$return') output = described;
  }
  return { trigger, ...(output ? { return: output } : {}) };
}

export async function invokeFunction(options: InvokeOptions): Promise<InvocationOutcome> {
  const { fn, log } = options;
  const functionName = fn.metadata.name;
  const invocationId = randomUUID();
  const context = new InvocationContext({
    invocationId,
    functionName,
    ...(options.triggerMetadata ? { triggerMetadata: options.triggerMetadata } : {}),
    options: effectiveOptions(fn),
    logHandler: (level, ...args) => {
      if (logs(AS_APP_LEVEL[level])) log(`${functionName} [${level}] ${format(...args)}`);
    },
  });

  const started = Date.now();
  // Every HTTP request already leaves its own line (method, path, status): the invocation lines are for debugging.
  if (logs('debug')) log(`Executing '${functionName}' (Reason='${options.reason}', Id=${invocationId})`);
  const pre = newHookContext({ invocationContext: context, inputs: [options.input], functionCallback: fn.handler });
  let result: unknown;
  let error: unknown;
  try {
    await runHooks('preInvocation', pre);
    const callback = pre.functionCallback as FunctionCallback;
    const inputs = pre.inputs as unknown[];
    result = await callback(...inputs, context);
  } catch (caught) {
    error = caught;
  }
  const post = newHookContext({ invocationContext: context, inputs: pre.inputs, result, error, hookData: pre.hookData });
  await runHooks('postInvocation', post);

  const duration = Date.now() - started;
  if (post.error) {
    log(`Executed '${functionName}' (Failed, Id=${invocationId}, Duration=${duration}ms): ${describeError(post.error)}`);
    throw post.error;
  }
  if (logs('debug')) log(`Executed '${functionName}' (Succeeded, Id=${invocationId}, Duration=${duration}ms)`);
  return { invocationId, result: post.result };
}

/** The message and stack of an error for the host log (never for a response body). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return format(error);
}
