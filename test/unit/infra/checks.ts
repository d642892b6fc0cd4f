/**
 * The rules the deployment template must keep, as functions from a compiled ARM template to findings, so
 * that they can be tested on small hand-written templates as well as applied to infra/main.bicep.
 */
import {
  type ArmResource,
  type ArmTemplate,
  type TemplateScope,
  DEPLOYMENTS,
  allScopes,
  childScope,
  findResources,
  findStrings,
  inlineStringVariables,
  isExpression,
  isObject,
  parseCall,
  resourcesOf,
  stringLiteral,
  scopeResourceType,
} from './arm';

/** Built-in role definitions the app's identity may hold, each on one kind of resource only. */
export const ROLES = [
  { id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', name: 'Storage Blob Data Owner', scopeType: 'Microsoft.Storage/storageAccounts' },
  { id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88', name: 'Storage Queue Data Contributor', scopeType: 'Microsoft.Storage/storageAccounts' },
  { id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', name: 'Storage Table Data Contributor', scopeType: 'Microsoft.Storage/storageAccounts' },
  { id: '3913510d-42f4-4e42-8a64-420c390055eb', name: 'Monitoring Metrics Publisher', scopeType: 'Microsoft.Insights/components' },
  { id: '4633458b-17de-408a-b874-0445c86b69e6', name: 'Key Vault Secrets User', scopeType: 'Microsoft.KeyVault/vaults/secrets' },
  { id: 'befefa01-2a29-4197-83a8-272ff33ce314', name: 'DNS Zone Contributor', scopeType: 'Microsoft.Network/dnsZones' },
  { id: 'd5a91429-5739-47e2-a06b-3470a27159e7', name: 'EventGrid Data Sender', scopeType: 'Microsoft.EventGrid/topics' },
] as const;

export type RoleName = (typeof ROLES)[number]['name'];

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function where(scope: TemplateScope): string {
  return scope.path.length === 0 ? 'main' : scope.path.join(' > ');
}

export interface RoleAssignmentFinding {
  where: string;
  role?: RoleName;
  scopeType?: string;
  problems: string[];
}

/**
 * Every role assignment in the tree: which built-in role, on which kind of resource, and what is wrong with
 * it. Each must be scoped to one resource (not a group or subscription), use a known role on the kind of
 * resource that role is for, name itself `guid(scope id, principal id, role id)`, and name a service principal.
 */
export function roleAssignments(root: ArmTemplate): RoleAssignmentFinding[] {
  return findResources(root, 'Microsoft.Authorization/roleAssignments').map(({ scope, resource }) => {
    const problems: string[] = [];
    const scopeType = scopeResourceType(resource.scope);
    if (!scopeType) problems.push(`not scoped to a single resource (scope: ${JSON.stringify(resource.scope ?? null)})`);

    const roleDefinitionId = resource.properties?.roleDefinitionId;
    const roleIds =
      typeof roleDefinitionId === 'string' ? (inlineStringVariables(scope, roleDefinitionId).match(GUID) ?? []) : [];
    const role = roleIds.length === 1 ? ROLES.find((r) => r.id === roleIds[0]?.toLowerCase()) : undefined;
    if (!role) problems.push(`role definition is not one known built-in role: ${JSON.stringify(roleDefinitionId)}`);
    else if (scopeType && scopeType.toLowerCase() !== role.scopeType.toLowerCase()) {
      problems.push(`${role.name} is assigned on ${scopeType}, expected ${role.scopeType}`);
    }

    const principalId = resource.properties?.principalId;
    const call = isExpression(resource.name) ? parseCall(resource.name) : undefined;
    const [scopeArg, principalArg, roleArg] = call?.args ?? [];
    const nameOk =
      call?.name === 'guid' &&
      call.args.length === 3 &&
      scopeType !== undefined &&
      scopeArg !== undefined &&
      scopeArg.toLowerCase().includes(scopeType.toLowerCase()) &&
      typeof principalId === 'string' &&
      principalArg === (isExpression(principalId) ? principalId.slice(1, -1) : `'${principalId}'`) &&
      role !== undefined &&
      roleArg !== undefined &&
      inlineStringVariables(scope, roleArg).toLowerCase().includes(role.id);
    if (!nameOk) problems.push(`name is not guid(scope resource id, principal id, role id): ${resource.name}`);

    if (resource.properties?.principalType !== 'ServicePrincipal') problems.push('principalType is not ServicePrincipal');
    return { where: where(scope), role: role?.name, scopeType, problems };
  });
}

export interface AppSetting {
  name: string;
  value: unknown;
  /**
   * When the setting exists only under a condition (an ARM expression of the app's template scope, e.g.
   * `not(empty(parameters('x')))`): the list was built with `if(cond, createArray(...), createArray())`.
   * Undefined for a setting that is always there.
   */
  condition?: string;
}

/**
 * The app settings of the one function app in the tree (siteConfig.appSettings and sites/config appsettings).
 * A literal list is read as it is; a computed one (`concat(createArray(createObject('name', …, 'value', …)),
 * variables('x'), if(c, createArray(…), createArray()))`, what Bicep emits for `concat([...], cond ? [...] : [])`)
 * is read by its structure, each setting with the condition under which it exists and its value as the
 * expression text it is (`[…]`), as in a literal list.
 */
export function functionAppSettings(root: ArmTemplate): { scope: TemplateScope; site: ArmResource; settings: AppSetting[] } {
  const sites = findResources(root, 'Microsoft.Web/sites').filter(({ resource }) =>
    String(resource.kind ?? '').includes('functionapp'),
  );
  if (sites.length !== 1) throw new Error(`expected one function app, found ${sites.length}`);
  const { scope, resource: site } = sites[0]!;
  const siteConfig = site.properties?.siteConfig;
  const listed = isObject(siteConfig) ? siteConfig.appSettings : undefined;
  const settings: AppSetting[] = listed === undefined ? [] : settingsListed(scope, listed, undefined);
  for (const { resource } of findResources(root, 'Microsoft.Web/sites/config')) {
    if (!/appsettings'?\)?\]?$/i.test(resource.name)) continue;
    const properties = resource.properties;
    if (!isObject(properties)) throw new Error(`appsettings resource with computed properties: ${resource.name}`);
    for (const [name, value] of Object.entries(properties)) settings.push({ name, value });
  }
  return { scope, site, settings };
}

function settingsListed(scope: TemplateScope, listed: unknown, condition: string | undefined): AppSetting[] {
  if (Array.isArray(listed)) {
    return listed.map((entry) => {
      if (!isObject(entry) || typeof entry.name !== 'string') throw new Error(`app setting without a literal name: ${JSON.stringify(entry)}`);
      return { name: entry.name, value: entry.value, ...(condition ? { condition } : {}) };
    });
  }
  const call = typeof listed === 'string' ? parseCall(listed) : undefined;
  const text = () => `siteConfig.appSettings is an expression this check cannot read: ${JSON.stringify(listed)}`;
  if (!call) throw new Error(text());
  switch (call.name) {
    case 'concat':
      return call.args.flatMap((arg) => settingsListed(scope, arg, condition));
    case 'createArray':
      return call.args.map((arg) => settingOf(arg, condition));
    case 'variables': {
      const name = stringLiteral(call.args[0] ?? '');
      const value = name === undefined ? undefined : scope.template.variables?.[name];
      if (value === undefined) throw new Error(text());
      return settingsListed(scope, isExpression(value) ? String(value).slice(1, -1) : value, condition);
    }
    case 'if': {
      const [test, whenTrue, whenFalse] = call.args;
      if (test === undefined || whenTrue === undefined || whenFalse === undefined) throw new Error(text());
      const both = (c: string) => (condition ? `and(${condition}, ${c})` : c);
      return [...settingsListed(scope, whenTrue, both(test)), ...settingsListed(scope, whenFalse, both(`not(${test})`))];
    }
    default:
      throw new Error(text());
  }
}

/** `createObject('name', 'X', 'value', <expr>)` as a setting, its value written as a literal list would have it. */
function settingOf(arg: string, condition: string | undefined): AppSetting {
  const call = parseCall(arg);
  if (call?.name !== 'createObject' || call.args.length % 2 !== 0) throw new Error(`app setting that is not createObject(...): ${arg}`);
  const fields = new Map<string, string>();
  for (let i = 0; i < call.args.length; i += 2) fields.set(stringLiteral(call.args[i]!) ?? '', call.args[i + 1]!);
  const name = stringLiteral(fields.get('name') ?? '');
  if (name === undefined) throw new Error(`app setting without a literal name: ${arg}`);
  const rawValue = fields.get('value') ?? "''";
  return { name, value: stringLiteral(rawValue) ?? `[${rawValue}]`, ...(condition ? { condition } : {}) };
}

export interface SecureFlow {
  /** Where the value ends up: `<resource type> <property path>` or `<template section> <name>`. */
  sinks: string[];
  problems: string[];
}

const parameterReference = (name: string) => (s: string) => s.includes(`parameters('${name}')`);

/**
 * Follows a secure parameter of the root template through the module parameters it is passed to, and lists
 * every place it is finally used. Each parameter it passes through must itself be secure.
 */
export function secureParameterFlow(root: ArmTemplate, parameterName: string): SecureFlow {
  const sinks: string[] = [];
  const problems: string[] = [];
  const follow = (scope: TemplateScope, name: string) => {
    const type = scope.template.parameters?.[name]?.type?.toLowerCase();
    if (type !== 'securestring' && type !== 'secureobject') {
      problems.push(`${where(scope)}: parameter ${name} is ${type ?? 'missing'}, not secure`);
    }
    for (const section of ['variables', 'outputs'] as const) {
      for (const hit of findStrings(scope.template[section], parameterReference(name))) {
        sinks.push(`${where(scope)} ${section}.${hit.path}`);
      }
    }
    for (const resource of resourcesOf(scope.template)) {
      for (const hit of findStrings(resource, parameterReference(name))) {
        const passed = /^properties\.parameters\.([^.]+)\.value$/.exec(hit.path)?.[1];
        const child = resource.type === DEPLOYMENTS ? childScope(scope, resource) : undefined;
        if (passed !== undefined && child) {
          if (hit.value !== `[parameters('${name}')]`) problems.push(`${where(scope)}: ${name} is transformed before ${passed}`);
          follow(child, passed);
        } else {
          sinks.push(`${resource.type} ${hit.path}`);
        }
      }
    }
  };
  follow({ template: root, path: [] }, parameterName);
  return { sinks, problems };
}

const SECRET_OUTPUT_NAME = /password|secret|connectionstring|accesskey|instrumentationkey|sas(token)?$|token/i;
const SECRET_VALUE = /\blist[A-Z]\w*\(|connectionstring|instrumentationkey|accesskey|primarykey|secondarykey/i;

/**
 * Outputs, of the root and of every module (module outputs stay in the deployment history), that could
 * carry a secret: secure types, secret-sounding names, list*() calls or key-bearing properties, or any
 * reference to a secure parameter.
 */
export function outputProblems(root: ArmTemplate): string[] {
  const problems: string[] = [];
  for (const scope of allScopes(root)) {
    const secureParameters = Object.entries(scope.template.parameters ?? {})
      .filter(([, p]) => /^secure/i.test(p.type))
      .map(([name]) => name);
    for (const [name, output] of Object.entries(scope.template.outputs ?? {})) {
      const label = `${where(scope)} output ${name}`;
      if (/^secure/i.test(output.type)) problems.push(`${label} has secure type ${output.type}`);
      if (scope.path.length === 0 && SECRET_OUTPUT_NAME.test(name)) problems.push(`${label} has a secret-sounding name`);
      for (const hit of findStrings(output.value, (s) => SECRET_VALUE.test(s))) problems.push(`${label}: ${hit.value}`);
      for (const parameter of secureParameters) {
        if (findStrings(output.value, parameterReference(parameter)).length > 0) {
          problems.push(`${label} uses secure parameter ${parameter}`);
        }
      }
      // A literal value that looks like key material (long base64) has no business in an output.
      for (const hit of findStrings(output.value, (s) => !isExpression(s) && /^[A-Za-z0-9+/]{32,}={0,2}$/.test(s))) {
        problems.push(`${label} has a key-like literal ${hit.value}`);
      }
    }
  }
  return problems;
}
