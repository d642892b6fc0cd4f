import { z } from 'zod';
import {
  EC_CURVES,
  KEY_USAGES,
  LIFETIME_ACTION_TYPES,
  POLICY_KEY_TYPES,
  SECRET_CONTENT_TYPES,
} from '../../domain/certificate-policy';
import type { PolicyInput } from '../../domain/policy-resolution';
import { caseInsensitiveEnum } from './canonical-spelling';

/**
 * A certificate policy as the SDKs send it. Structure and types are checked here; the rules (allowed key
 * sizes, at most one lifetime action, ...) live in the domain. Unknown members are ignored, as Key Vault does.
 * Enumerated members are read in any case and handed on in Key Vault's spelling (see canonical-spelling.ts):
 * .NET sends the key usage `crlSign`, JS and Python `cRLSign`. The issuer name is the domain's to spell (it
 * trims it and falls back to the current one first), with the same rule.
 */
const stringList = z.array(z.string()).nullish();

export const certificatePolicySchema = z.object({
  key_props: z
    .object({
      exportable: z.boolean().nullish(),
      kty: caseInsensitiveEnum(POLICY_KEY_TYPES).nullish(),
      key_size: z.number().int().nullish(),
      reuse_key: z.boolean().nullish(),
      crv: caseInsensitiveEnum(EC_CURVES).nullish(),
    })
    .nullish(),
  secret_props: z.object({ contentType: caseInsensitiveEnum(SECRET_CONTENT_TYPES).nullish() }).nullish(),
  x509_props: z
    .object({
      subject: z.string().nullish(),
      ekus: stringList,
      sans: z
        .object({ emails: stringList, dns_names: stringList, upns: stringList, uris: stringList, ipAddresses: stringList })
        .nullish(),
      key_usage: z.array(caseInsensitiveEnum(KEY_USAGES)).nullish(),
      validity_months: z.number().int().nullish(),
    })
    .nullish(),
  lifetime_actions: z
    .array(
      z.object({
        trigger: z.object({ lifetime_percentage: z.number().int().nullish(), days_before_expiry: z.number().int().nullish() }).nullish(),
        action: z.object({ action_type: caseInsensitiveEnum(LIFETIME_ACTION_TYPES).nullish() }).nullish(),
      }),
    )
    .nullish(),
  issuer: z.object({ name: z.string().nullish(), cty: z.string().nullish(), cert_transparency: z.boolean().nullish() }).nullish(),
  attributes: z.object({ enabled: z.boolean().nullish() }).nullish(),
}) satisfies z.ZodType<PolicyInput>;
