/**
 * Reading a compiled ARM template (what `bicep build` emits) by its structure: every Bicep module is a
 * nested `Microsoft.Resources/deployments` resource whose `properties.template` is the module's own
 * template, with its parameters supplied in `properties.parameters` and evaluated in the parent.
 *
 * Only the few expression shapes Bicep emits for plain references are resolved (`[parameters('x')]`,
 * `[variables('x')]`, `format(...)` arguments); anything else stays the expression string it is.
 */

export interface ArmParameter {
  type: string;
  defaultValue?: unknown;
  [key: string]: unknown;
}

export interface ArmOutput {
  type: string;
  value?: unknown;
  [key: string]: unknown;
}

export interface ArmResource {
  type: string;
  name: string;
  apiVersion?: string;
  existing?: boolean;
  condition?: unknown;
  scope?: unknown;
  resourceGroup?: unknown;
  copy?: { name: string; count: unknown };
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ArmTemplate {
  languageVersion?: string;
  parameters?: Record<string, ArmParameter>;
  variables?: Record<string, unknown>;
  /** An array, or (language version 2.0, symbolic names) an object keyed by symbolic name. */
  resources?: ArmResource[] | Record<string, ArmResource>;
  outputs?: Record<string, ArmOutput>;
  [key: string]: unknown;
}

/** One template in the tree: the root, or the template of a nested deployment (a module). */
export interface TemplateScope {
  template: ArmTemplate;
  /** Names of the deployments that lead here, outermost first; empty for the root. */
  path: string[];
  parent?: TemplateScope;
  /** The deployment resource that holds this template; undefined for the root. */
  deployment?: ArmResource;
}

export interface ScopedResource {
  scope: TemplateScope;
  resource: ArmResource;
}

export const DEPLOYMENTS = 'Microsoft.Resources/deployments';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('[') && !value.startsWith('[[') && value.endsWith(']');
}

/** The resources a template deploys (resources marked `existing` are only references). */
export function resourcesOf(template: ArmTemplate): ArmResource[] {
  const resources = template.resources ?? [];
  const list = Array.isArray(resources) ? resources : Object.values(resources);
  return list.filter((r) => r.existing !== true);
}

function nestedTemplate(resource: ArmResource): ArmTemplate | undefined {
  if (resource.type !== DEPLOYMENTS) return undefined;
  const template = resource.properties?.template;
  return isObject(template) ? (template as ArmTemplate) : undefined;
}

/** The root and every nested deployment template, depth first. */
export function allScopes(root: ArmTemplate): TemplateScope[] {
  const scopes: TemplateScope[] = [];
  const visit = (scope: TemplateScope) => {
    scopes.push(scope);
    for (const resource of resourcesOf(scope.template)) {
      const template = nestedTemplate(resource);
      if (template) visit({ template, path: [...scope.path, resource.name], parent: scope, deployment: resource });
    }
  };
  visit({ template: root, path: [] });
  return scopes;
}

/** Every deployed resource of a type (case-insensitive), in any template of the tree. */
export function findResources(root: ArmTemplate, type: string): ScopedResource[] {
  const wanted = type.toLowerCase();
  return allScopes(root).flatMap((scope) =>
    resourcesOf(scope.template)
      .filter((resource) => resource.type.toLowerCase() === wanted)
      .map((resource) => ({ scope, resource })),
  );
}

/** The child scope a deployment resource of `scope` opens. */
export function childScope(scope: TemplateScope, deployment: ArmResource): TemplateScope | undefined {
  const template = nestedTemplate(deployment);
  return template ? { template, path: [...scope.path, deployment.name], parent: scope, deployment } : undefined;
}

function suppliedParameters(deployment: ArmResource | undefined): Record<string, unknown> {
  const parameters = deployment?.properties?.parameters;
  return isObject(parameters) ? parameters : {};
}

const WHOLE_PARAMETER = /^\[parameters\('([^']+)'\)\]$/;
const WHOLE_VARIABLE = /^\[variables\('([^']+)'\)\]$/;

/**
 * Follows `[parameters('x')]` (to the value the parent deployment supplies, evaluated in the parent, or to
 * the default value) and `[variables('x')]` until a literal or another kind of expression is reached.
 */
export function resolve(scope: TemplateScope, value: unknown, depth = 0): unknown {
  if (typeof value !== 'string' || depth > 50) return value;
  const parameter = WHOLE_PARAMETER.exec(value)?.[1];
  if (parameter !== undefined) {
    const supplied = suppliedParameters(scope.deployment)[parameter];
    if (isObject(supplied) && 'value' in supplied && scope.parent) return resolve(scope.parent, supplied.value, depth + 1);
    const fallback = scope.template.parameters?.[parameter]?.defaultValue;
    return fallback === undefined ? value : resolve(scope, fallback, depth + 1);
  }
  const variable = WHOLE_VARIABLE.exec(value)?.[1];
  if (variable !== undefined) {
    const defined = scope.template.variables?.[variable];
    return defined === undefined ? value : resolve(scope, defined, depth + 1);
  }
  return value;
}

/** An expression with every `variables('x')` whose value is a plain string replaced by that string, quoted. */
export function inlineStringVariables(scope: TemplateScope, expression: string): string {
  return expression.replace(/variables\('([^']+)'\)/g, (whole, name: string) => {
    const value = scope.template.variables?.[name];
    return typeof value === 'string' && !isExpression(value) ? `'${value.replace(/'/g, "''")}'` : whole;
  });
}

export interface Call {
  name: string;
  args: string[];
}

/**
 * Splits the outermost function call of an expression (`[f(a, g(b), 'c,d')]` or `f(...)`) into its name and
 * raw argument texts. Undefined when the text is not a single call.
 */
export function parseCall(expression: string): Call | undefined {
  const text = isExpression(expression) ? expression.slice(1, -1).trim() : expression.trim();
  const open = text.indexOf('(');
  if (open <= 0 || !text.endsWith(')')) return undefined;
  const name = text.slice(0, open).trim();
  if (!/^[A-Za-z][\w.]*$/.test(name)) return undefined;
  const args: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = open + 1;
  for (let i = open + 1; i < text.length - 1; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "'") {
        if (text[i + 1] === "'") i++;
        else quoted = false;
      }
    } else if (c === "'") quoted = true;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      depth--;
      if (depth < 0) return undefined; // the call closes before the end: not a single call
    } else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0 || quoted) return undefined;
  const last = text.slice(start, -1).trim();
  if (last !== '' || args.length > 0) args.push(last);
  return { name, args };
}

/** The value of a quoted string literal argument (`'a''b'` gives `a'b`), or undefined. */
export function stringLiteral(arg: string): string | undefined {
  return /^'(?:[^']|'')*'$/.test(arg) ? arg.slice(1, -1).replace(/''/g, "'") : undefined;
}

/**
 * The resource type an extension resource's `scope` names, e.g.
 * `[format('Microsoft.KeyVault/vaults/{0}/secrets/{1}', ...)]` gives `Microsoft.KeyVault/vaults/secrets`.
 * Undefined for anything that is not one resource (a resource group, a subscription, an unknown shape).
 */
export function scopeResourceType(scope: unknown): string | undefined {
  if (typeof scope !== 'string') return undefined;
  let path: string | undefined;
  if (isExpression(scope)) {
    const call = parseCall(scope);
    const first = call?.args[0] === undefined ? undefined : stringLiteral(call.args[0]);
    if (call?.name === 'resourceId' && first) return /^[\w.]+\/\w+(\/\w+)*$/.test(first) ? first : undefined;
    if (call?.name !== 'format' || first === undefined) return undefined;
    path = first;
  } else {
    path = scope;
  }
  const parts = path.replace(/^\//, '').split('/');
  const provider = parts[0] ?? '';
  // Provider, then (type, name) pairs: an odd count of at least three segments.
  if (!/^[A-Z][\w]*\.[\w.]+$/.test(provider) || parts.length < 3 || parts.length % 2 === 0) return undefined;
  const types = parts.slice(1).filter((_, i) => i % 2 === 0);
  return `${provider}/${types.join('/')}`;
}

/**
 * The last segment(s) of a resource name: for a copy loop over an array (`parameters('x')[copyIndex()]` in the
 * name), every element of that array; otherwise the literal last `format` argument or the literal name.
 */
export function resourceLeafNames(scope: TemplateScope, resource: ArmResource): string[] {
  const name = resource.name;
  const looped = /(parameters|variables)\('([^']+)'\)\[copyIndex\(\)\]/.exec(name);
  if (resource.copy && looped) {
    const items = resolve(scope, `[${looped[1]}('${looped[2]}')]`);
    return Array.isArray(items) ? items.map(String) : [];
  }
  if (!isExpression(name)) return [name.split('/').pop() ?? name];
  const call = parseCall(name);
  const last = call?.name === 'format' ? call.args[call.args.length - 1] : undefined;
  if (last === undefined) return [];
  const literal = stringLiteral(last);
  if (literal !== undefined) return [literal];
  const resolved = resolve(scope, `[${last}]`);
  return typeof resolved === 'string' && !isExpression(resolved) ? [resolved] : [];
}

export interface StringHit {
  /** JSON path from the node walked, e.g. `properties.parameters.name.value`. */
  path: string;
  value: string;
}

/**
 * Every string under `node` that matches, with its path. Does not enter the template of a nested deployment
 * (a different scope, with its own parameters).
 */
export function findStrings(node: unknown, matches: (s: string) => boolean, path: string[] = []): StringHit[] {
  if (typeof node === 'string') return matches(node) ? [{ path: path.join('.'), value: node }] : [];
  if (Array.isArray(node)) return node.flatMap((item, i) => findStrings(item, matches, [...path, String(i)]));
  if (!isObject(node)) return [];
  const isDeployment = node.type === DEPLOYMENTS;
  return Object.entries(node).flatMap(([key, value]) => {
    if (isDeployment && key === 'properties' && isObject(value)) {
      const outside = Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'template'));
      return findStrings(outside, matches, [...path, key]);
    }
    return findStrings(value, matches, [...path, key]);
  });
}

/** A property of an object by name, ignoring case (ARM property names are case-insensitive). */
export function propertyIgnoringCase(object: unknown, name: string): unknown {
  if (!isObject(object)) return undefined;
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}
