/**
 * Evaluates the few ARM template functions a deployment-time choice is made of (`if`, `empty`, `not`, `and`,
 * `or`, `equals`, `parameters`, `variables`, `resourceId`, literals), for given parameter values, so a test can
 * say what a template deploys for those values without Azure. Parameters not given take their default; a
 * module's parameters are what its parent supplies, evaluated in the parent. Anything else (a `reference()`,
 * `resourceGroup()`, …) cannot be known offline and throws, naming it.
 */
import { type TemplateScope, isExpression, isObject, parseCall, stringLiteral } from './arm';

export type ArmValue = string | number | boolean | ArmValue[] | { [key: string]: ArmValue };

/** What `resourceId()` puts where Azure would put the deployment's subscription. */
export const SUBSCRIPTION_PLACEHOLDER = '00000000-0000-0000-0000-000000000000';

/** Evaluates `expression` (ARM expression text, with or without its brackets) in `scope`. */
export function evaluate(scope: TemplateScope, expression: string, given: Record<string, ArmValue>): ArmValue {
  const text = isExpression(expression) ? expression.slice(1, -1).trim() : expression.trim();
  const literal = stringLiteral(text);
  if (literal !== undefined) return literal;
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  const call = parseCall(text);
  if (!call) throw new Error(`cannot evaluate offline: ${text}`);
  const arg = (i: number) => evaluate(scope, call.args[i] ?? '', given);
  switch (call.name) {
    case 'if':
      return truthy(arg(0), text) ? arg(1) : arg(2);
    case 'not':
      return !truthy(arg(0), text);
    case 'and':
      return call.args.every((_, i) => truthy(arg(i), text));
    case 'or':
      return call.args.some((_, i) => truthy(arg(i), text));
    case 'equals':
      return JSON.stringify(arg(0)) === JSON.stringify(arg(1));
    case 'empty': {
      const value = arg(0);
      return value === '' || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
    }
    case 'true':
    case 'false':
      return call.name === 'true';
    case 'createArray':
      return call.args.map((_, i) => arg(i));
    case 'parameters':
      return parameterValue(scope, String(arg(0)), given);
    case 'variables': {
      const value = scope.template.variables?.[String(arg(0))];
      if (value === undefined) throw new Error(`no variable ${String(arg(0))}`);
      return evaluateValue(scope, value, given);
    }
    case 'resourceId':
      return resourceId(call.args.map((_, i) => String(arg(i))), text);
    default:
      throw new Error(`cannot evaluate offline: ${call.name}() in ${text}`);
  }
}

/** A template value: expression strings evaluated, arrays and objects walked. */
export function evaluateValue(scope: TemplateScope, value: unknown, given: Record<string, ArmValue>): ArmValue {
  if (typeof value === 'string') return isExpression(value) ? evaluate(scope, value, given) : value.replace(/^\[\[/, '[');
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => evaluateValue(scope, v, given));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluateValue(scope, v, given)]));
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

function parameterValue(scope: TemplateScope, name: string, given: Record<string, ArmValue>): ArmValue {
  if (scope.parent) {
    const supplied = scope.deployment?.properties?.parameters;
    const entry = isObject(supplied) ? supplied[name] : undefined;
    if (isObject(entry) && 'value' in entry) return evaluateValue(scope.parent, entry.value, given);
  } else if (name in given) {
    return given[name] as ArmValue;
  }
  const fallback = scope.template.parameters?.[name]?.defaultValue;
  if (fallback === undefined) throw new Error(`parameter ${name} has no value (give it)`);
  return evaluateValue(scope, fallback, given);
}

/**
 * `resourceId([subscriptionId], [resourceGroupName], type, name...)`: the arguments before the type (the first
 * one with a slash) are the subscription and group, the current ones when left out.
 */
function resourceId(args: string[], text: string): string {
  const typeAt = args.findIndex((a) => a.includes('/'));
  if (typeAt < 0 || typeAt > 2) throw new Error(`cannot read resourceId(): ${text}`);
  const scopeArgs = args.slice(0, typeAt);
  if (scopeArgs.length === 0) throw new Error(`resourceId() in the deployment's own group cannot be known offline: ${text}`);
  const [subscription, group] = scopeArgs.length === 2 ? scopeArgs : [SUBSCRIPTION_PLACEHOLDER, scopeArgs[0]];
  const [provider, ...types] = (args[typeAt] ?? '').split('/');
  const names = args.slice(typeAt + 1);
  const segments = types.flatMap((type, i) => [type, names[i] ?? '']);
  return `/subscriptions/${subscription}/resourceGroups/${group}/providers/${provider}/${segments.join('/')}`;
}

function truthy(value: ArmValue, text: string): boolean {
  if (typeof value !== 'boolean') throw new Error(`not a condition: ${text}`);
  return value;
}
