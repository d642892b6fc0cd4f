import { z } from 'zod';
import { LIMITS } from './field-limits';

/** base64url as the SDKs send it (no padding), padding tolerated; decoded to bytes. */
const base64urlBytes = (what: string) =>
  z
    .string({ message: `${what} must be a base64url string` })
    .min(1, `${what} is required`)
    .max(LIMITS.keyOperationValueLength, `${what} must be at most ${LIMITS.keyOperationValueLength} characters`)
    .regex(/^[A-Za-z0-9_-]*={0,2}$/, `${what} must be base64url`)
    .transform((text) => Buffer.from(text, 'base64url'));

const algorithm = z
  .string({ message: 'alg is required' })
  .min(1, 'alg is required')
  .max(LIMITS.keyAlgorithmLength, `alg must be at most ${LIMITS.keyAlgorithmLength} characters`);

/** sign, encrypt, decrypt, wrapKey, unwrapKey: `{"alg","value"}` (the digest, plaintext, ciphertext or key). */
export const keyOperationSchema = z.object({ alg: algorithm, value: base64urlBytes('value') });
export type KeyOperationBody = z.infer<typeof keyOperationSchema>;

/** verify: `{"alg","digest","value"}`, value being the signature. */
export const keyVerifySchema = z.object({ alg: algorithm, digest: base64urlBytes('digest'), value: base64urlBytes('value') });
