import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The parts of host.json the local host honours, with the Functions host's documented defaults, so a setting
 * tuned in host.json behaves the same locally as in Azure.
 */

export interface QueueSettings {
  /** Messages fetched per poll; also the most handlers running at once for one queue (Azure caps it at 32). */
  batchSize: number;
  /** Fetch the next batch once no more than this many messages are still being processed. */
  newBatchThreshold: number;
  /** After this many failed attempts the message moves to `<queue>-poison`. */
  maxDequeueCount: number;
  /** How long a failed message stays invisible before it is retried. */
  visibilityTimeoutMs: number;
  /** The longest wait between polls of an empty queue. */
  maxPollingIntervalMs: number;
  messageEncoding: 'base64' | 'none';
}

export interface HostSettings {
  routePrefix: string;
  queues: QueueSettings;
}

/** .NET TimeSpan text as host.json uses it: `[d.]hh:mm:ss[.fffffff]`. */
export function parseTimeSpan(value: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a TimeSpan (expected [d.]hh:mm:ss[.fff])`);
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3) || '0');
  return (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + ms;
}

const timeSpan = z.string().transform((value, ctx) => {
  try {
    return parseTimeSpan(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const hostJsonSchema = z.object({
  extensions: z
    .object({
      http: z.object({ routePrefix: z.string().optional() }).optional(),
      queues: z
        .object({
          batchSize: z.number().int().min(1).max(32).optional(),
          newBatchThreshold: z.number().int().min(0).optional(),
          maxDequeueCount: z.number().int().min(1).optional(),
          visibilityTimeout: timeSpan.optional(),
          maxPollingInterval: timeSpan.optional(),
          messageEncoding: z.enum(['base64', 'none']).optional(),
        })
        .optional(),
    })
    .optional(),
});

export function parseHostJson(json: unknown): HostSettings {
  const parsed = hostJsonSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid host.json:\n  - ${problems.join('\n  - ')}`);
  }
  const queues = parsed.data.extensions?.queues ?? {};
  const batchSize = queues.batchSize ?? 16;
  return {
    // The host's default prefix is "api"; this app sets "" so routes sit at the root like Key Vault's.
    routePrefix: (parsed.data.extensions?.http?.routePrefix ?? 'api').replace(/^\/+|\/+$/g, ''),
    queues: {
      batchSize,
      newBatchThreshold: Math.min(queues.newBatchThreshold ?? Math.floor(batchSize / 2), batchSize - 1),
      maxDequeueCount: queues.maxDequeueCount ?? 5,
      visibilityTimeoutMs: queues.visibilityTimeout ?? 0,
      maxPollingIntervalMs: queues.maxPollingInterval ?? 60_000,
      messageEncoding: queues.messageEncoding ?? 'base64',
    },
  };
}

const OVERRIDE_PREFIX = 'azurefunctionsjobhost__';

/** App-setting values are text; host.json's numbers and booleans are read back as such. */
function settingValue(text: string): unknown {
  if (/^-?\d+$/.test(text)) return Number(text);
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  return text;
}

/**
 * The Functions host lets an app setting override any host.json value: `AzureFunctionsJobHost__a__b` sets
 * `a.b`, names matched case-insensitively (e.g. `AzureFunctionsJobHost__extensions__queues__maxPollingInterval`).
 * The local host honours the same settings, so a tuning done that way behaves alike under both hosts.
 */
export function withAppSettingOverrides(json: unknown, env: NodeJS.ProcessEnv): unknown {
  const root: Record<string, unknown> = json && typeof json === 'object' ? structuredClone(json as Record<string, unknown>) : {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || !key.toLowerCase().startsWith(OVERRIDE_PREFIX)) continue;
    const path = key.slice(OVERRIDE_PREFIX.length).split('__').filter(Boolean);
    let node = root;
    path.forEach((segment, index) => {
      const existing = Object.keys(node).find((k) => k.toLowerCase() === segment.toLowerCase()) ?? segment;
      if (index === path.length - 1) {
        node[existing] = settingValue(value);
        return;
      }
      const child = node[existing];
      node = child && typeof child === 'object' ? (child as Record<string, unknown>) : (node[existing] = {});
    });
  }
  return root;
}

export function readHostJson(file: string, env: NodeJS.ProcessEnv = {}): HostSettings {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseHostJson(withAppSettingOverrides(json, env));
}
