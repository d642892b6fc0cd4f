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
import { LIMITS, boundedList, boundedString } from './field-limits';

/**
 * A certificate policy as the SDKs send it. Structure and types are checked here; the rules (allowed key
 * sizes, at most one lifetime action, ...) live in the domain. Unknown members are ignored, as Key Vault does.
 * Enumerated members are read in any case and handed on in Key Vault's spelling (see canonical-spelling.ts):
 * .NET sends the key usage `crlSign`, JS and Python `cRLSign`. The issuer name is the domain's to spell (it
 * trims it and falls back to the current one first), with the same rule.
 */
const sanList = (field: string) => boundedList(field, boundedString(`each of ${field}`, LIMITS.sanLength), LIMITS.sanCount).nullish();

type SansShape = Partial<Record<'emails' | 'dns_names' | 'upns' | 'uris' | 'ipAddresses', string[] | null | undefined>>;

/** All SAN lists together: a count and a total length, since each list alone could be at its limit. */
function sansWithinLimits(sans: SansShape | null | undefined): boolean {
  const all = Object.values(sans ?? {}).flatMap((list) => list ?? []);
  return all.length <= LIMITS.sanCount && all.reduce((n, name) => n + name.length, 0) <= LIMITS.sanTotalLength;
}

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
  secret_props: z
    .object({ contentType: caseInsensitiveEnum(SECRET_CONTENT_TYPES).pipe(boundedString('contentType', LIMITS.contentTypeLength)).nullish() })
    .nullish(),
  x509_props: z
    .object({
      subject: boundedString('subject', LIMITS.subjectLength).nullish(),
      ekus: boundedList('ekus', boundedString('each of ekus', LIMITS.ekuLength), LIMITS.ekuCount).nullish(),
      sans: z
        .object({
          emails: sanList('emails'),
          dns_names: sanList('dns_names'),
          upns: sanList('upns'),
          uris: sanList('uris'),
          ipAddresses: sanList('ipAddresses'),
        })
        .nullish()
        .refine(sansWithinLimits, `sans must hold at most ${LIMITS.sanCount} names of at most ${LIMITS.sanTotalLength} characters in all`),
      key_usage: boundedList('key_usage', caseInsensitiveEnum(KEY_USAGES), LIMITS.keyUsageCount).nullish(),
      validity_months: z.number().int().nullish(),
    })
    .nullish(),
  lifetime_actions: boundedList(
    'lifetime_actions',
    z.object({
      trigger: z.object({ lifetime_percentage: z.number().int().nullish(), days_before_expiry: z.number().int().nullish() }).nullish(),
      action: z.object({ action_type: caseInsensitiveEnum(LIFETIME_ACTION_TYPES).nullish() }).nullish(),
    }),
    LIMITS.lifetimeActionCount,
  ).nullish(),
  issuer: z
    .object({
      name: boundedString('issuer name', LIMITS.issuerNameLength).nullish(),
      cty: boundedString('cty', LIMITS.certificateTypeLength).nullish(),
      cert_transparency: z.boolean().nullish(),
    })
    .nullish(),
  attributes: z.object({ enabled: z.boolean().nullish() }).nullish(),
}) satisfies z.ZodType<PolicyInput>;
