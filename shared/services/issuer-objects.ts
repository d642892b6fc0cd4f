import { errors } from '../api/errors';
import type { SetIssuerBody, UpdateIssuerBody } from '../api/schemas/request-bodies.schema';
import { sealPrivateKey } from '../crypto/key-encryption';
import { unixSeconds } from '../domain/clock';
import { isReservedIssuer } from '../domain/certificate-policy';
import type { IssuerObject } from '../domain/issuer';
import type { IssuerPage } from '../storage/repositories';
import { WriteConflictError } from '../storage/storage-errors';
import type { ServiceContext } from './service-context';

export function issuerPasswordBinding(name: string): string {
  return `issuer:${name.toLowerCase()}`;
}

type AdminDetails = NonNullable<NonNullable<SetIssuerBody['org_details']>['admin_details']>;

function adminContactsOf(admins: AdminDetails): IssuerObject['adminContacts'] {
  return admins.map((a) => ({
    ...(a.first_name != null ? { firstName: a.first_name } : {}),
    ...(a.last_name != null ? { lastName: a.last_name } : {}),
    ...(a.email != null ? { email: a.email } : {}),
    ...(a.phone != null ? { phone: a.phone } : {}),
  }));
}

function sealedPassword(ctx: ServiceContext, name: string, password: string): string {
  return sealPrivateKey(ctx.keyEncryptionKey, Buffer.from(password, 'utf8'), issuerPasswordBinding(name));
}

/**
 * An issuer object may only name a provider this deployment knows (the registry is the list), so a typo is
 * refused when the object is written rather than when a certificate first uses it. The name is kept as the
 * caller spelled it, as Key Vault does.
 */
function assertKnownProvider(ctx: ServiceContext, provider: string): void {
  if (!ctx.providers.forIssuerObject(provider)) throw errors.badParameter(ctx.providers.unknownProviderMessage(provider));
}

/** The provider's own check of the object as it would be stored (an ACME issuer needs its directory URL). */
function assertUsableByProvider(ctx: ServiceContext, issuer: IssuerObject): void {
  const problem = ctx.providers.forIssuerObject(issuer.provider)?.checkIssuerObject?.(issuer);
  if (problem) throw errors.badParameter(problem);
}

/** PUT /certificates/issuers/{name}: creates or replaces an issuer object; its password is sealed at rest. */
export async function setIssuer(ctx: ServiceContext, name: string, body: SetIssuerBody): Promise<IssuerObject> {
  if (isReservedIssuer(name)) throw errors.badParameter(`'${name}' is a reserved issuer name and cannot be set.`);
  assertKnownProvider(ctx, body.provider);
  const now = unixSeconds(ctx.clock);
  const existing = await ctx.issuers.get(name);
  const password = body.credentials?.pwd;
  const accountId = body.credentials?.account_id;
  const orgId = body.org_details?.id;
  const issuer: IssuerObject = {
    name,
    provider: body.provider,
    ...(accountId != null ? { accountId } : {}),
    ...(password ? { sealedPassword: sealedPassword(ctx, name, password) } : {}),
    ...(orgId != null ? { organizationId: orgId } : {}),
    adminContacts: adminContactsOf(body.org_details?.admin_details ?? []),
    enabled: body.attributes?.enabled ?? true,
    created: existing?.created ?? now,
    updated: now,
  };
  assertUsableByProvider(ctx, issuer);
  await ctx.issuers.put(issuer);
  return issuer;
}

export async function getIssuer(ctx: ServiceContext, name: string): Promise<IssuerObject> {
  const issuer = await ctx.issuers.get(name);
  if (!issuer) throw errors.issuerNotFound();
  return issuer;
}

/**
 * PATCH /certificates/issuers/{name}: what the body gives replaces what is stored, member by member; what it
 * leaves out (or sends as null) is kept. The SDKs always send `credentials`, often as `{}`, so an empty
 * object keeps the account and password; a new `pwd` is sealed like PUT's. `admin_details`, when given,
 * replaces the whole list.
 */
export async function updateIssuer(ctx: ServiceContext, name: string, body: UpdateIssuerBody): Promise<IssuerObject> {
  if (body.provider != null) assertKnownProvider(ctx, body.provider);
  const existing = await getIssuer(ctx, name);
  const accountId = body.credentials?.account_id;
  const password = body.credentials?.pwd;
  const orgId = body.org_details?.id;
  const admins = body.org_details?.admin_details;
  const enabled = body.attributes?.enabled;
  const issuer: IssuerObject = {
    ...existing,
    ...(body.provider != null ? { provider: body.provider } : {}),
    ...(accountId != null ? { accountId } : {}),
    // Sealed under the name as stored, which the password's binding was made with.
    ...(password ? { sealedPassword: sealedPassword(ctx, existing.name, password) } : {}),
    ...(orgId != null ? { organizationId: orgId } : {}),
    ...(admins != null ? { adminContacts: adminContactsOf(admins) } : {}),
    ...(enabled != null ? { enabled } : {}),
    updated: unixSeconds(ctx.clock),
  };
  assertUsableByProvider(ctx, issuer);
  if (!(await ctx.issuers.replace(issuer))) throw errors.issuerNotFound();
  return issuer;
}

/** DELETE /certificates/issuers/{name}: removes the issuer and answers it as it was. */
export async function deleteIssuer(ctx: ServiceContext, name: string): Promise<IssuerObject> {
  try {
    const deleted = await ctx.issuers.delete(name);
    if (!deleted) throw errors.issuerNotFound();
    return deleted;
  } catch (error) {
    if (error instanceof WriteConflictError) throw errors.concurrentUpdate();
    throw error;
  }
}

/** GET /certificates/issuers: one page of at most `limit` issuers, after the one a continuation names. */
export function listIssuers(ctx: ServiceContext, limit: number, after?: string): Promise<IssuerPage> {
  return ctx.issuers.list(limit, after);
}
