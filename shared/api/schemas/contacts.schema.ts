import { z } from 'zod';

/** More than a team's worth of addresses; the list is kept in one table property (at most 32K characters). */
const MAX_CONTACTS = 20;
const MAX_EMAIL_LENGTH = 254; // the longest address SMTP carries (RFC 5321 path limit)
const MAX_NAME_LENGTH = 128;
const MAX_PHONE_LENGTH = 32;
/** What the stored list may take in its table property, with room to spare (JSON escapes can lengthen text). */
const MAX_STORED_CHARACTERS = 30_000;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const text = (field: string, max: number) =>
  z
    .string({ message: `${field} must be a string` })
    .max(max, `${field} is longer than ${max} characters`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), `${field} must not contain control characters`);

/**
 * Deliberately loose: something@something without spaces. The SDKs send what the user typed, and Key Vault
 * takes addresses such as `only@mail` (no dot in the domain), so a stricter check would refuse real input.
 */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

const contactSchema = z.object({
  email: z
    .string({ message: 'email is required' })
    .max(MAX_EMAIL_LENGTH, `email is longer than ${MAX_EMAIL_LENGTH} characters`)
    .regex(EMAIL, 'email must be an address such as name@example.com'),
  name: text('name', MAX_NAME_LENGTH).nullish(),
  phone: text('phone', MAX_PHONE_LENGTH).nullish(),
});

/** PUT /certificates/contacts: the whole list; an empty one is refused (DELETE removes the contacts). */
export const setContactsSchema = z.object({
  contacts: z
    .array(contactSchema, { message: 'contacts must be an array of {email, name, phone}' })
    .min(1, 'at least one contact is required; to remove the contacts, DELETE /certificates/contacts')
    .max(MAX_CONTACTS, `at most ${MAX_CONTACTS} contacts are allowed`)
    .refine((contacts) => JSON.stringify(contacts).length <= MAX_STORED_CHARACTERS, 'the contacts are too large to store'),
});
export type SetContactsBody = z.infer<typeof setContactsSchema>;
