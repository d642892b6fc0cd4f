import { z } from 'zod';
import { certificatePolicySchema } from './certificate-policy.schema';
import { LIMITS, boundedList, boundedString, tagsSchema } from './field-limits';

const certificateAttributesSchema = z.object({
  enabled: z.boolean().nullish(),
  nbf: z.number().int().nullish(),
  exp: z.number().int().nullish(),
});

export const createCertificateSchema = z.object({
  policy: certificatePolicySchema.nullish(),
  attributes: certificateAttributesSchema.nullish(),
  tags: tagsSchema.nullish(),
  preserveCertOrder: z.boolean().nullish(),
});
export type CreateCertificateBody = z.infer<typeof createCertificateSchema>;

/**
 * PATCH /certificates/{name}/{version}: `{"attributes":{enabled,nbf,exp},"tags"}`, every member optional (the
 * JS SDK sends `{"attributes":{},"tags":{…}}` for a tags-only update). `nbf` and `exp` are read, so a wrong
 * type is still a 400, but they change nothing (see shared/domain/certificate-properties.ts).
 */
export const updateCertificateSchema = z.object({
  attributes: certificateAttributesSchema.nullish(),
  tags: tagsSchema.nullish(),
});
export type UpdateCertificateBody = z.infer<typeof updateCertificateSchema>;

export const updatePendingSchema = z.object({
  cancellation_requested: z.literal(true, { message: 'cancellation_requested must be true; a cancellation cannot be withdrawn' }),
});

export const mergeCertificateSchema = z.object({
  x5c: boundedList('x5c', boundedString('each x5c entry', LIMITS.x5cEntryLength), LIMITS.x5cCount).refine(
    (chain) => chain.reduce((n, entry) => n + entry.length, 0) <= LIMITS.x5cTotalLength,
    `x5c must hold at most ${LIMITS.x5cTotalLength} characters in all`,
  ),
  attributes: certificateAttributesSchema.nullish(),
  tags: tagsSchema.nullish(),
});
export type MergeCertificateBody = z.infer<typeof mergeCertificateSchema>;

/**
 * POST /certificates/{name}/import. `value` is base64 (PFX, or PEM text) or raw PEM text; bounded so that one
 * request cannot make a row over Azure Table's limits (a chain's column holds at most 64 KiB) or hold the
 * worker long. 64 Ki characters is a PFX of a dozen certificates.
 */
const IMPORT_VALUE_MAX = 65_536;
const IMPORT_PASSWORD_MAX = 1024;
export const importCertificateSchema = z.object({
  value: z
    .string({ message: 'value is required: the PFX as base64, or PEM text with the private key and the certificate' })
    .min(1, 'value must not be empty')
    .max(IMPORT_VALUE_MAX, `value must be at most ${IMPORT_VALUE_MAX} characters`),
  pwd: z.string({ message: 'pwd must be a string' }).max(IMPORT_PASSWORD_MAX, `pwd must be at most ${IMPORT_PASSWORD_MAX} characters`).nullish(),
  policy: certificatePolicySchema.nullish(),
  attributes: certificateAttributesSchema.nullish(),
  tags: tagsSchema.nullish(),
  preserveCertOrder: z.boolean().nullish(),
});
export type ImportCertificateBody = z.infer<typeof importCertificateSchema>;

/**
 * Issuer fields, bounded so that one request cannot store an unbounded row (an Azure table entity holds at
 * most 1 MiB; Key Vault documents no limits of its own here, so these are generous for any real CA account).
 */
const ISSUER_TEXT_MAX = 256;
const ISSUER_PASSWORD_MAX = 1024;
const ISSUER_ADMINS_MAX = 20;
const issuerText = (what: string, max = ISSUER_TEXT_MAX) =>
  z.string({ message: `${what} must be a string` }).max(max, `${what} must be at most ${max} characters`);

const issuerProviderSchema = z
  .string({ message: 'provider is required' })
  .max(ISSUER_TEXT_MAX, `provider must be at most ${ISSUER_TEXT_MAX} characters`)
  .trim()
  .min(1, 'provider is required');
const issuerCredentialsSchema = z.object({
  account_id: issuerText('account_id').nullish(),
  pwd: issuerText('pwd', ISSUER_PASSWORD_MAX).nullish(),
});
const issuerOrgDetailsSchema = z.object({
  id: issuerText('id').nullish(),
  admin_details: z
    .array(
      z.object({
        first_name: issuerText('first_name').nullish(),
        last_name: issuerText('last_name').nullish(),
        email: issuerText('email').nullish(),
        phone: issuerText('phone').nullish(),
      }),
    )
    .max(ISSUER_ADMINS_MAX, `at most ${ISSUER_ADMINS_MAX} administrators are allowed`)
    .nullish(),
});
const issuerAttributesSchema = z.object({ enabled: z.boolean().nullish() });

export const setIssuerSchema = z.object({
  provider: issuerProviderSchema,
  credentials: issuerCredentialsSchema.nullish(),
  org_details: issuerOrgDetailsSchema.nullish(),
  attributes: issuerAttributesSchema.nullish(),
});
export type SetIssuerBody = z.infer<typeof setIssuerSchema>;

/** PATCH /certificates/issuers/{name}: every member optional; what is given replaces what is stored. */
export const updateIssuerSchema = z.object({
  provider: issuerProviderSchema.nullish(),
  credentials: issuerCredentialsSchema.nullish(),
  org_details: issuerOrgDetailsSchema.nullish(),
  attributes: issuerAttributesSchema.nullish(),
});
export type UpdateIssuerBody = z.infer<typeof updateIssuerSchema>;

/**
 * POST /certificates/restore. A blob of 500 versions of the largest rows the table holds is well under this
 * bound; the contents are checked when the blob is opened (any problem there is Key Vault's corrupt-blob 400).
 */
const RESTORE_VALUE_MAX = 32 * 1024 * 1024;
/** The restore route's body limit: the blob and the few bytes of JSON around it. */
export const RESTORE_BODY_MAX_BYTES = RESTORE_VALUE_MAX + 1024;
export const restoreCertificateSchema = z.object({
  value: z
    .string({ message: 'value is required: the base64url blob a backup returned' })
    .min(1, 'value must not be empty')
    .max(RESTORE_VALUE_MAX, `value must be at most ${RESTORE_VALUE_MAX} characters`),
});
