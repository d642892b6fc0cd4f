import { z } from 'zod';
import type { RegisteredFunction, RpcBindingInfo } from './functions-core';

/**
 * Reads the trigger of a registration into a typed description. The metadata is what `@azure/functions`
 * would send the real host (`toCoreFunctionMetadata`: trigger options spread into the binding), so the
 * defaults applied here are the host's: an HTTP route defaults to the function name, a queue connection to
 * `AzureWebJobsStorage`.
 */

export type TriggerBinding =
  | { kind: 'http'; functionName: string; bindingName: string; route: string; methods?: string[]; authLevel?: string }
  | { kind: 'queue'; functionName: string; bindingName: string; queueName: string; connection: string }
  | { kind: 'timer'; functionName: string; bindingName: string; schedule: string; runOnStartup: boolean }
  | { kind: 'unsupported'; functionName: string; bindingName: string; type: string };

const httpOptions = z.object({
  route: z.string().optional(),
  methods: z.array(z.string()).optional(),
  authLevel: z.string().optional(),
});
const queueOptions = z.object({ queueName: z.string().min(1), connection: z.string().optional() });
const timerOptions = z.object({ schedule: z.string().min(1), runOnStartup: z.boolean().optional() });

function parse<T>(schema: z.ZodType<T>, binding: RpcBindingInfo, functionName: string): T {
  const result = schema.safeParse(binding);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(binding)'}: ${issue.message}`);
    throw new Error(`Function "${functionName}" has an invalid ${binding.type} binding: ${problems.join('; ')}`);
  }
  return result.data;
}

export function triggerOf(fn: RegisteredFunction): TriggerBinding {
  const functionName = fn.metadata.name;
  const entry = Object.entries(fn.metadata.bindings).find(
    ([, binding]) => binding.direction === 'in' && /trigger$/i.test(binding.type ?? ''),
  );
  if (!entry) throw new Error(`Function "${functionName}" has no trigger binding`);
  const [bindingName, binding] = entry;
  const type = (binding.type ?? '').toLowerCase();
  if (type === 'httptrigger') {
    const options = parse(httpOptions, binding, functionName);
    return {
      kind: 'http',
      functionName,
      bindingName,
      route: options.route ?? functionName,
      ...(options.methods ? { methods: options.methods } : {}),
      ...(options.authLevel ? { authLevel: options.authLevel } : {}),
    };
  }
  if (type === 'queuetrigger') {
    const options = parse(queueOptions, binding, functionName);
    return { kind: 'queue', functionName, bindingName, queueName: options.queueName, connection: options.connection || 'AzureWebJobsStorage' };
  }
  if (type === 'timertrigger') {
    const options = parse(timerOptions, binding, functionName);
    return { kind: 'timer', functionName, bindingName, schedule: options.schedule, runOnStartup: options.runOnStartup ?? false };
  }
  return { kind: 'unsupported', functionName, bindingName, type: binding.type ?? '' };
}
