import { z } from 'zod';
import { certificatePolicySchema } from './certificate-policy.schema';

/** Tags: at most 15, as on Key Vault; values are strings. */
export const tagsSchema = z
  .record(z.string(), z.string())
  .refine((tags) => Object.keys(tags).length <= 15, { message: 'at most 15 tags are allowed' });

export const certificateAttributesSchema = z.object({
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

export const updatePendingSchema = z.object({
  cancellation_requested: z.literal(true, { message: 'cancellation_requested must be true; a cancellation cannot be withdrawn' }),
});

export const mergeCertificateSchema = z.object({
  x5c: z.array(z.string({ message: 'each x5c entry must be a base64 string' }), { message: 'x5c must be an array of base64 DER certificates' }),
  attributes: certificateAttributesSchema.nullish(),
  tags: tagsSchema.nullish(),
});
export type MergeCertificateBody = z.infer<typeof mergeCertificateSchema>;

export const setIssuerSchema = z.object({
  provider: z.string({ message: 'provider is required' }).trim().min(1, 'provider is required'),
  credentials: z.object({ account_id: z.string().nullish(), pwd: z.string().nullish() }).nullish(),
  org_details: z
    .object({
      id: z.string().nullish(),
      admin_details: z
        .array(
          z.object({
            first_name: z.string().nullish(),
            last_name: z.string().nullish(),
            email: z.string().nullish(),
            phone: z.string().nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
  attributes: z.object({ enabled: z.boolean().nullish() }).nullish(),
});
export type SetIssuerBody = z.infer<typeof setIssuerSchema>;
