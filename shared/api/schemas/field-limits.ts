import { z } from 'zod';

/**
 * Per-field limits of request bodies. Key Vault's published ones where it has them (tags, contentType);
 * otherwise ours, chosen so that (a) every real certificate fits with room to spare, and (b) everything one
 * request can store together stays well inside Azure Table's limits (64 KiB per string property, i.e. 32 Ki
 * UTF-16 characters, and 1 MiB per entity). The largest row is a pending operation: its JSON holds the policy
 * twice (the new one and the current one), the CSR (which repeats subject and SANs, base64) and the tags.
 * test/e2e/input-limits.test.ts creates a certificate with every field at its limit to prove they fit.
 * Bounds are also what keeps the ASN.1 and base64 code from ever seeing input large enough to matter.
 */
export const LIMITS = {
  /**
   * Tags: Key Vault allows up to 15 (about-keys/secrets/certificates docs). Its names are documented at 256
   * and, in the current secrets text, 512 characters; values at 256: the larger name, the smaller value.
   */
  tagCount: 15,
  tagNameLength: 512,
  tagValueLength: 256,
  /** A subject DN of a dozen attributes at RFC 5280's upper bounds (64 characters each) fits four times over. */
  subjectLength: 1024,
  /** Let's Encrypt's and most public CAs' limit of names per certificate. */
  sanCount: 100,
  /** A DNS name is at most 253 characters; an email address at most 254 (RFC 5321); URIs and UPNs alike. */
  sanLength: 255,
  /** All SANs together: 100 names of 40 characters; long names mean fewer of them. */
  sanTotalLength: 4096,
  ekuCount: 20,
  /** An OID in dotted text. */
  ekuLength: 128,
  /** There are nine key usages. */
  keyUsageCount: 9,
  /** The domain allows one lifetime action; a few more are read so its refusal (with its message) comes first. */
  lifetimeActionCount: 5,
  /** Key Vault's limit on a secret's contentType. */
  contentTypeLength: 255,
  /** An issuer name is an object name: 127 characters. */
  issuerNameLength: 127,
  certificateTypeLength: 64,
  /** A chain of leaf, intermediates and root: ten is already unusual. */
  x5cCount: 10,
  /** One base64 DER certificate: 16 Ki characters (12 KB of DER) holds any real CA's certificate. */
  x5cEntryLength: 16_384,
  /** The whole chain, as much as an import's PFX may hold. */
  x5cTotalLength: 65_536,
  /** An algorithm name (RS256, RSA-OAEP-256, ...). */
  keyAlgorithmLength: 32,
  /** A digest, signature, plaintext or ciphertext: RSA-4096 values are 683 base64url characters. */
  keyOperationValueLength: 8192,
} as const;

/** A string of at most `max` characters; the message names the field and the limit. */
export const boundedString = (field: string, max: number) =>
  z.string({ message: `${field} must be a string` }).max(max, `${field} must be at most ${max} characters`);

/** A list of at most `max` entries; the message names the field and the limit. */
export const boundedList = <T extends z.ZodType>(field: string, item: T, max: number) =>
  z.array(item, { message: `${field} must be an array` }).max(max, `${field} must have at most ${max} entries`);

/**
 * Key Vault's tags: at most 15, with bounded names and values. Names are checked by a refinement rather than
 * a key schema, so the message names the limit without echoing the (long) name as the path.
 */
export const tagsSchema = z
  .record(z.string(), boundedString('a tag value', LIMITS.tagValueLength), { message: 'tags must be an object of string values' })
  .refine((tags) => Object.keys(tags).length <= LIMITS.tagCount, { message: `at most ${LIMITS.tagCount} tags are allowed` })
  .refine((tags) => Object.keys(tags).every((name) => name.length <= LIMITS.tagNameLength), {
    message: `a tag name must be at most ${LIMITS.tagNameLength} characters`,
  });
