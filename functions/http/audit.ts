import type { HttpRequest, InvocationContext } from '@azure/functions';
import type { AuthenticationFailureReason, VerifiedCaller } from '../../shared/auth/token-verifier';
import { ANY_AUTHENTICATED_CALLER, type RoutePermission } from '../../shared/auth/permissions';
import { dataActionOf } from '../../shared/auth/roles';

/**
 * The audit trail: every request through keyVaultRoute leaves exactly one record, 401s and 403s included,
 * written through the invocation's logger so that in Azure it lands in Application Insights (`traces`, with
 * the invocation id) like every other line of the function. It says who (the caller's object id, app id and
 * tenant, from the verified token only), what (the function, the Key Vault data action, the object's name
 * and version), how it ended (status, result, why authentication failed) and when (request id, duration).
 * It never holds the token, a header, the query string or a body: nothing in it is secret.
 *
 * One line, readable first and machine-readable after `audit=`:
 *
 *   GET /certificates/web/ 403 4 ms x-ms-request-id=… audit={"requestId":"…","operation":"certificateGet",…}
 *
 * In Log Analytics: traces | where message has "audit={" | extend audit = parse_json(extract(@"audit=(\{.*\})$", 1, message))
 */
export interface AuditRecord {
  requestId: string;
  /** The function name: which operation of the API was asked for. */
  operation: string;
  /** The Key Vault data action the operation needs; null where any authenticated caller may (the catch-all). */
  action: string | null;
  method: string;
  /** The URL path, without the query string. */
  path: string;
  /** The certificate, key or secret name (or issuer name) the request names, and the version when it names one. */
  objectName: string | null;
  objectVersion: string | null;
  status: number;
  result: AuditResult;
  /** Who, from the verified token; null when the token was missing or refused (unverified claims are not evidence). */
  caller: { oid: string; appid: string | null; tenantId: string | null } | null;
  /** Why the token was refused (401 only). */
  authenticationFailure: AuthenticationFailureReason | null;
  durationMs: number;
}

export type AuditResult = 'succeeded' | 'unauthenticated' | 'forbidden' | 'refused' | 'failed';

/** What the route wrapper learns while it answers, for the record. */
export interface AuditFacts {
  caller?: VerifiedCaller;
  authenticationFailure?: AuthenticationFailureReason;
}

const MAX_FIELD = 256;

export function auditRecordOf(
  request: HttpRequest,
  context: InvocationContext,
  permission: RoutePermission,
  facts: AuditFacts,
  status: number,
  durationMs: number,
): AuditRecord {
  const params = request.params ?? {};
  return {
    requestId: context.invocationId,
    operation: context.functionName,
    action: permission === ANY_AUTHENTICATED_CALLER ? null : dataActionOf(permission),
    method: request.method,
    path: bounded(new URL(request.url).pathname, 1024),
    objectName: optional(params.name ?? params.issuer),
    objectVersion: optional(params.version),
    status,
    result: resultOf(status),
    caller: facts.caller
      ? {
          oid: bounded(facts.caller.subject),
          appid: optional(stringClaim(facts.caller.claims.appid) ?? stringClaim(facts.caller.claims.azp)),
          tenantId: optional(facts.caller.tenantId),
        }
      : null,
    authenticationFailure: status === 401 ? (facts.authenticationFailure ?? null) : null,
    durationMs,
  };
}

/** Writes the record: not subject to LOG_LEVEL (an audit trail an app setting can silence is no audit trail). */
export function writeAudit(context: InvocationContext, record: AuditRecord): void {
  const line = `${record.method} ${record.path} ${record.status} ${record.durationMs} ms x-ms-request-id=${record.requestId} audit=${JSON.stringify(record)}`;
  if (record.status >= 500) context.error(line);
  else context.info(line);
}

function resultOf(status: number): AuditResult {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status >= 500) return 'failed';
  if (status >= 400) return 'refused';
  return 'succeeded';
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function optional(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : bounded(value);
}

function bounded(value: string, max = MAX_FIELD): string {
  return value.length > max ? `${value.slice(0, max)}...` : value;
}
