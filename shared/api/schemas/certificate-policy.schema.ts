import { z } from 'zod';
import type { PolicyInput } from '../../domain/policy-resolution';

/**
 * A certificate policy as the SDKs send it. Structure and types are checked here; the rules (allowed key
 * sizes, at most one lifetime action, ...) live in the domain. Unknown members are ignored, as Key Vault does.
 */
const stringList = z.array(z.string()).nullish();

export const certificatePolicySchema = z.object({
  key_props: z
    .object({
      exportable: z.boolean().nullish(),
      kty: z.string().nullish(),
      key_size: z.number().int().nullish(),
      reuse_key: z.boolean().nullish(),
      crv: z.string().nullish(),
    })
    .nullish(),
  secret_props: z.object({ contentType: z.string().nullish() }).nullish(),
  x509_props: z
    .object({
      subject: z.string().nullish(),
      ekus: stringList,
      sans: z
        .object({ emails: stringList, dns_names: stringList, upns: stringList, uris: stringList, ipAddresses: stringList })
        .nullish(),
      key_usage: stringList,
      validity_months: z.number().int().nullish(),
    })
    .nullish(),
  lifetime_actions: z
    .array(
      z.object({
        trigger: z.object({ lifetime_percentage: z.number().int().nullish(), days_before_expiry: z.number().int().nullish() }).nullish(),
        action: z.object({ action_type: z.string().nullish() }).nullish(),
      }),
    )
    .nullish(),
  issuer: z.object({ name: z.string().nullish(), cty: z.string().nullish(), cert_transparency: z.boolean().nullish() }).nullish(),
  attributes: z.object({ enabled: z.boolean().nullish() }).nullish(),
}) satisfies z.ZodType<PolicyInput>;
