import { errors } from '../api/errors';
import type { SetIssuerBody } from '../api/schemas/request-bodies.schema';
import { sealPrivateKey } from '../crypto/key-encryption';
import { unixSeconds } from '../domain/clock';
import { isReservedIssuer } from '../domain/certificate-policy';
import type { IssuerObject } from '../domain/issuer';
import type { ServiceContext } from './service-context';

export function issuerPasswordBinding(name: string): string {
  return `issuer:${name.toLowerCase()}`;
}

/** PUT /certificates/issuers/{name}: creates or replaces an issuer object; its password is sealed at rest. */
export async function setIssuer(ctx: ServiceContext, name: string, body: SetIssuerBody): Promise<IssuerObject> {
  if (isReservedIssuer(name)) throw errors.badParameter(`'${name}' is a reserved issuer name and cannot be set.`);
  const now = unixSeconds(ctx.clock);
  const existing = await ctx.issuers.get(name);
  const password = body.credentials?.pwd;
  const accountId = body.credentials?.account_id;
  const orgId = body.org_details?.id;
  const issuer: IssuerObject = {
    name,
    provider: body.provider,
    ...(accountId != null ? { accountId } : {}),
    ...(password ? { sealedPassword: sealPrivateKey(ctx.keyEncryptionKey, Buffer.from(password, 'utf8'), issuerPasswordBinding(name)) } : {}),
    ...(orgId != null ? { organizationId: orgId } : {}),
    adminContacts: (body.org_details?.admin_details ?? []).map((a) => ({
      ...(a.first_name != null ? { firstName: a.first_name } : {}),
      ...(a.last_name != null ? { lastName: a.last_name } : {}),
      ...(a.email != null ? { email: a.email } : {}),
      ...(a.phone != null ? { phone: a.phone } : {}),
    })),
    enabled: body.attributes?.enabled ?? true,
    created: existing?.created ?? now,
    updated: now,
  };
  await ctx.issuers.put(issuer);
  return issuer;
}

export async function getIssuer(ctx: ServiceContext, name: string): Promise<IssuerObject> {
  const issuer = await ctx.issuers.get(name);
  if (!issuer) throw errors.issuerNotFound();
  return issuer;
}
