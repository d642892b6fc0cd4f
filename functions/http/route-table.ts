/**
 * HTTP route matching as the Functions host does it (ASP.NET Core route templates, ordered by the host's
 * `WebJobsRouteBuilder` precedence), so a request reaches the same function locally as in Azure:
 *
 * - templates are `/`-separated segments: literals (matched case-insensitively) or one `{parameter}` per
 *   segment, optionally `{name?}` (optional), `{name=default}`, `{*rest}` (catch-all) and `{name:int}` style
 *   constraints;
 * - routes are tried most specific first: segment by segment a literal beats a parameter, a parameter with
 *   more constraints beats one with fewer, and a longer template beats its own prefix; ties keep registration
 *   order;
 * - the first route whose path and method both match wins. One difference from the host, which answers 404
 *   there: when the path matches some route but none allows the method, we answer 405 as Key Vault does.
 *   This app never gets there: its catch-all (functions/unmatched-route.ts) takes every such request, as in
 *   Azure, and answers it after authentication.
 *
 * It lives with the functions because the catch-all matches paths with it too (scripts/ is not deployed).
 */

export interface RouteDefinition {
  functionName: string;
  /** The trigger's `route`, without the host's route prefix. */
  template: string;
  /** Allowed HTTP methods; absent or empty means every method. */
  methods?: readonly string[];
}

export interface RouteConstraint {
  readonly text: string;
  test(value: string): boolean;
}

export type RouteSegment =
  | { readonly kind: 'literal'; readonly text: string }
  | {
      readonly kind: 'parameter';
      readonly name: string;
      readonly optional: boolean;
      readonly catchAll: boolean;
      readonly defaultValue?: string;
      readonly constraints: readonly RouteConstraint[];
    };

export interface Route {
  readonly functionName: string;
  /** The full template, route prefix included. */
  readonly template: string;
  /** Upper-case methods, or undefined for every method. */
  readonly methods: ReadonlySet<string> | undefined;
  readonly segments: readonly RouteSegment[];
}

export type RouteMatch =
  | { readonly kind: 'matched'; readonly route: Route; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: 'methodNotAllowed'; readonly allowedMethods: readonly string[] }
  | { readonly kind: 'notFound' };

export class RouteTemplateError extends Error {
  constructor(template: string, problem: string) {
    super(`Invalid route template "${template}": ${problem}`);
    this.name = 'RouteTemplateError';
  }
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const isInteger = (value: string) => /^[-+]?\d+$/.test(value);
const isNumber = (value: string) => /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value);

function numberArgs(name: string, args: string | undefined, count: number[], template: string): number[] {
  const values = (args ?? '').split(',').map((arg) => arg.trim());
  if (!count.includes(values.length) || values.some((v) => !isInteger(v))) {
    throw new RouteTemplateError(template, `constraint "${name}" needs ${count.join(' or ')} integer argument(s)`);
  }
  return values.map(Number);
}

/** The inline constraints of ASP.NET Core routing that make sense for this app; others are rejected loudly. */
function parseConstraint(text: string, template: string): RouteConstraint {
  const match = /^([a-zA-Z]+)(?:\((.*)\))?$/.exec(text);
  if (!match) throw new RouteTemplateError(template, `cannot read constraint "${text}"`);
  const name = (match[1] ?? '').toLowerCase();
  const args = match[2];
  const constraint = (test: (value: string) => boolean): RouteConstraint => ({ text, test });
  switch (name) {
    case 'int':
      return constraint((v) => isInteger(v) && Number(v) >= INT32.min && Number(v) <= INT32.max);
    case 'long':
      return constraint((v) => isInteger(v) && Number.isSafeInteger(Number(v)));
    case 'bool':
      return constraint((v) => /^(true|false)$/i.test(v));
    case 'guid':
      return constraint((v) => /^[({]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(v));
    case 'alpha':
      return constraint((v) => /^[a-z]+$/i.test(v));
    case 'double':
    case 'float':
    case 'decimal':
      return constraint(isNumber);
    case 'required':
      return constraint((v) => v.length > 0);
    case 'minlength': {
      const [min = 0] = numberArgs(name, args, [1], template);
      return constraint((v) => v.length >= min);
    }
    case 'maxlength': {
      const [max = 0] = numberArgs(name, args, [1], template);
      return constraint((v) => v.length <= max);
    }
    case 'length': {
      const values = numberArgs(name, args, [1, 2], template);
      const [min = 0, max = min] = values;
      return constraint((v) => v.length >= min && v.length <= max);
    }
    case 'min': {
      const [min = 0] = numberArgs(name, args, [1], template);
      return constraint((v) => isInteger(v) && Number(v) >= min);
    }
    case 'max': {
      const [max = 0] = numberArgs(name, args, [1], template);
      return constraint((v) => isInteger(v) && Number(v) <= max);
    }
    case 'range': {
      const [min = 0, max = 0] = numberArgs(name, args, [2], template);
      return constraint((v) => isInteger(v) && Number(v) >= min && Number(v) <= max);
    }
    default:
      throw new RouteTemplateError(template, `the local host does not support the "${name}" constraint`);
  }
}

function parseParameter(inner: string, template: string): RouteSegment {
  let rest = inner;
  const catchAll = rest.startsWith('*');
  rest = rest.replace(/^\*{1,2}/, '');
  let optional = false;
  let defaultValue: string | undefined;
  if (rest.endsWith('?')) {
    optional = true;
    rest = rest.slice(0, -1);
  }
  const equals = rest.indexOf('=');
  if (equals >= 0) {
    defaultValue = rest.slice(equals + 1);
    rest = rest.slice(0, equals);
    if (optional) throw new RouteTemplateError(template, `"{${inner}}" cannot be optional and have a default`);
  }
  const [name = '', ...constraintTexts] = rest.split(':');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new RouteTemplateError(template, `"{${inner}}" has no valid parameter name`);
  }
  const constraints = constraintTexts.map((text) => parseConstraint(text, template));
  return {
    kind: 'parameter',
    name,
    optional: optional || catchAll,
    catchAll,
    ...(defaultValue !== undefined ? { defaultValue } : {}),
    constraints,
  };
}

export function parseRouteTemplate(template: string): RouteSegment[] {
  const trimmed = template.replace(/^~?\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return [];
  const segments = trimmed.split('/').map((text): RouteSegment => {
    if (text === '') throw new RouteTemplateError(template, 'empty segment');
    const parameter = /^\{([^{}]+)\}$/.exec(text);
    if (parameter) return parseParameter(parameter[1] ?? '', template);
    if (/[{}?]/.test(text)) {
      throw new RouteTemplateError(template, `segment "${text}" mixes text and parameters, which the local host does not support`);
    }
    return { kind: 'literal', text };
  });

  const names = new Set<string>();
  segments.forEach((segment, index) => {
    if (segment.kind !== 'parameter') return;
    const key = segment.name.toLowerCase();
    if (names.has(key)) throw new RouteTemplateError(template, `parameter "${segment.name}" appears twice`);
    names.add(key);
    if (segment.catchAll && index !== segments.length - 1) {
      throw new RouteTemplateError(template, 'a catch-all parameter must be the last segment');
    }
    const later = segments.slice(index + 1);
    if ((segment.optional || segment.defaultValue !== undefined) && later.some((s) => s.kind === 'literal' || !(s.optional || s.defaultValue !== undefined))) {
      throw new RouteTemplateError(template, `optional parameter "${segment.name}" may only be followed by optional parameters`);
    }
  });
  return segments;
}

/** `WebJobsRouteBuilder.RouteComparison`: negative when `a` must be tried before `b`. */
export function compareRoutePrecedence(a: readonly RouteSegment[], b: readonly RouteSegment[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (!x) break;
    if (!y) return -1;
    if (x.kind === 'literal' && y.kind === 'parameter') return -1;
    if (x.kind === 'parameter' && y.kind === 'literal') return 1;
    if (x.kind === 'parameter' && y.kind === 'parameter') {
      if (x.constraints.length !== y.constraints.length) return y.constraints.length - x.constraints.length;
    } else if (x.kind === 'literal' && y.kind === 'literal') {
      const left = x.text.toUpperCase();
      const right = y.text.toUpperCase();
      if (left !== right) return left < right ? -1 : 1;
    }
  }
  return b.length > a.length ? 1 : 0;
}

/** Percent-decodes one path segment; a malformed escape is kept as typed rather than failing the request. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Splits a URL path into decoded segments; one trailing slash is ignored, as ASP.NET Core routing does. */
export function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '').replace(/\/$/, '');
  return trimmed === '' ? [] : trimmed.split('/').map(decodeSegment);
}

function matchSegments(segments: readonly RouteSegment[], path: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (!segment) return undefined;
    if (segment.kind === 'literal') {
      const value = path[i];
      if (value === undefined || value.toLowerCase() !== segment.text.toLowerCase()) return undefined;
      continue;
    }
    const value = segment.catchAll ? path.slice(i).join('/') : path[i];
    if (value === undefined || value === '') {
      // An empty segment in the middle of a path ("a//b") never binds; a missing trailing one may.
      if (value === '' && !segment.catchAll) return undefined;
      if (segment.defaultValue !== undefined) params[segment.name] = segment.defaultValue;
      else if (!segment.optional) return undefined;
      continue;
    }
    if (!segment.constraints.every((constraint) => constraint.test(value))) return undefined;
    params[segment.name] = value;
    if (segment.catchAll) return params;
  }
  return path.length > segments.length ? undefined : params;
}

export class RouteTable {
  readonly routes: readonly Route[];

  constructor(definitions: readonly RouteDefinition[], routePrefix = '') {
    const prefix = routePrefix.replace(/^\/+|\/+$/g, '');
    const parsed = definitions.map((definition, order) => {
      const template = prefix ? `${prefix}/${definition.template.replace(/^~?\/+/, '')}` : definition.template;
      const methods = definition.methods?.length ? new Set(definition.methods.map((m) => m.toUpperCase())) : undefined;
      const route: Route = { functionName: definition.functionName, template, methods, segments: parseRouteTemplate(template) };
      return { route, order };
    });
    parsed.sort((a, b) => compareRoutePrecedence(a.route.segments, b.route.segments) || a.order - b.order);
    this.routes = parsed.map(({ route }) => route);
  }

  /** `path` is the raw URL path (still percent-encoded, no query string). */
  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    const upperMethod = method.toUpperCase();
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (!route.methods || route.methods.has(upperMethod)) return { kind: 'matched', route, params };
      route.methods.forEach((m) => allowed.add(m));
    }
    return allowed.size > 0 ? { kind: 'methodNotAllowed', allowedMethods: [...allowed].sort() } : { kind: 'notFound' };
  }
}
