import type { PolicyWire } from './wire';

/** What the create form holds, as typed. */
export interface CreateFormInput {
  name: string;
  /** `Self`, or the name of an issuer object (a private CA, an ACME account, Test…). */
  issuer: string;
  subject: string;
  /** DNS names and e-mail addresses, separated by commas, spaces or new lines. */
  sans: string;
  /** `RSA-2048`, `RSA-3072`, `RSA-4096`, `EC-P-256`, `EC-P-384`, `EC-P-521`. */
  keyType: string;
  validityMonths: string;
  contentType: string;
}

export interface FieldError {
  field: keyof CreateFormInput;
  message: string;
}

export type CreateRequest = { ok: true; name: string; body: { policy: PolicyWire; attributes: { enabled: true } } } | { ok: false; errors: FieldError[] };

export const KEY_TYPES: Readonly<Record<string, { kty: 'RSA'; key_size: number } | { kty: 'EC'; crv: string }>> = {
  'RSA-2048': { kty: 'RSA', key_size: 2048 },
  'RSA-3072': { kty: 'RSA', key_size: 3072 },
  'RSA-4096': { kty: 'RSA', key_size: 4096 },
  'EC-P-256': { kty: 'EC', crv: 'P-256' },
  'EC-P-384': { kty: 'EC', crv: 'P-384' },
  'EC-P-521': { kty: 'EC', crv: 'P-521' },
};

export const CONTENT_TYPES = ['application/x-pkcs12', 'application/x-pem-file'] as const;

/** Key Vault's object names: 1-127 letters, digits and dashes. */
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

/**
 * The create request the form describes, or what is wrong with it, field by field. Checks what a person is
 * likely to get wrong; the service checks everything again and its message is shown if it refuses.
 */
export function createRequestOf(input: CreateFormInput): CreateRequest {
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (!NAME.test(name)) errors.push({ field: 'name', message: 'Use 1 to 127 letters, digits and dashes.' });
  const issuer = input.issuer.trim();
  if (issuer === '') errors.push({ field: 'issuer', message: 'Choose an issuer.' });
  const subject = input.subject.trim();
  const names = input.sans.split(/[\s,]+/).filter((s) => s !== '');
  const emails = names.filter((s) => s.includes('@'));
  const dnsNames = names.filter((s) => !s.includes('@'));
  if (subject === '' && names.length === 0) errors.push({ field: 'subject', message: 'Give a subject (such as CN=www.contoso.com) or at least one DNS name.' });
  else if (subject !== '' && !/^[A-Za-z.0-9]+=/.test(subject)) errors.push({ field: 'subject', message: 'Write the subject as a distinguished name, such as CN=www.contoso.com.' });
  const badDns = dnsNames.find((d) => !/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(d));
  if (badDns) errors.push({ field: 'sans', message: `"${badDns}" is not a DNS name.` });
  const key = KEY_TYPES[input.keyType];
  if (!key) errors.push({ field: 'keyType', message: 'Choose a key type.' });
  const months = Number(input.validityMonths);
  if (!/^\d+$/.test(input.validityMonths.trim()) || months < 1 || months > 1200) errors.push({ field: 'validityMonths', message: 'Give a whole number of months from 1 to 1200.' });
  const contentType = (CONTENT_TYPES as readonly string[]).includes(input.contentType) ? input.contentType : undefined;
  if (!contentType) errors.push({ field: 'contentType', message: 'Choose PKCS#12 or PEM.' });
  if (errors.length > 0 || !key || !contentType) return { ok: false, errors };

  const sans = { ...(dnsNames.length > 0 ? { dns_names: dnsNames } : {}), ...(emails.length > 0 ? { emails } : {}) };
  const policy: PolicyWire = {
    key_props: { ...key, exportable: true, reuse_key: false },
    secret_props: { contentType },
    x509_props: { ...(subject !== '' ? { subject } : {}), ...(names.length > 0 ? { sans } : {}), validity_months: months },
    issuer: { name: issuer },
  };
  return { ok: true, name, body: { policy, attributes: { enabled: true } } };
}
