import { isIP } from 'node:net';
import type { KeyUsageName } from '../crypto/certificate-profile';
import type { EcCurve, KeySpec, RsaKeySize } from '../crypto/key-spec';
import {
  type CertificatePolicy,
  type LifetimeAction,
  type SecretContentType,
  type SubjectAlternativeNames,
  EC_CURVES,
  KEY_USAGES,
  RSA_KEY_SIZES,
  SECRET_CONTENT_TYPES,
  RESERVED_ISSUERS,
  UNKNOWN_ISSUER,
} from './certificate-policy';
import { canonicalSpelling } from './canonical-spelling';
import { ValidationError } from './validation-error';

type Maybe<T> = T | null | undefined;

/** A policy as a caller sends it: Key Vault's wire names, every member optional (empty objects are common). */
export interface PolicyInput {
  key_props?: Maybe<{ exportable?: Maybe<boolean>; kty?: Maybe<string>; key_size?: Maybe<number>; reuse_key?: Maybe<boolean>; crv?: Maybe<string> }>;
  secret_props?: Maybe<{ contentType?: Maybe<string> }>;
  x509_props?: Maybe<{
    subject?: Maybe<string>;
    ekus?: Maybe<string[]>;
    sans?: Maybe<{ emails?: Maybe<string[]>; dns_names?: Maybe<string[]>; upns?: Maybe<string[]>; uris?: Maybe<string[]>; ipAddresses?: Maybe<string[]> }>;
    key_usage?: Maybe<string[]>;
    validity_months?: Maybe<number>;
  }>;
  lifetime_actions?: Maybe<
    { trigger?: Maybe<{ lifetime_percentage?: Maybe<number>; days_before_expiry?: Maybe<number> }>; action?: Maybe<{ action_type?: Maybe<string> }> }[]
  >;
  issuer?: Maybe<{ name?: Maybe<string>; cty?: Maybe<string>; cert_transparency?: Maybe<boolean> }>;
  attributes?: Maybe<{ enabled?: Maybe<boolean> }>;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DEFAULT_LIFETIME_PERCENTAGE = 80;
const MAX_VALIDITY_MONTHS = 1200;

function invalid(property: string, why: string): never {
  throw new ValidationError(`Property ${property} has invalid value: ${why}`);
}

function resolveIssuerName(name: Maybe<string>, base: Maybe<string>): string {
  const given = name?.trim();
  if (!given) return base ?? UNKNOWN_ISSUER;
  // Self and Unknown in any case are the reserved issuers, shown in their canonical spelling.
  return canonicalSpelling(given, RESERVED_ISSUERS) ?? given;
}

function resolveKey(input: PolicyInput['key_props'], base: CertificatePolicy['key'] | undefined): CertificatePolicy['key'] {
  const requestedKty = input?.kty ?? undefined;
  if (requestedKty === 'RSA-HSM' || requestedKty === 'EC-HSM') {
    invalid('key_props.kty', `${requestedKty} keys need a hardware security module, which this service does not have; use RSA or EC`);
  }
  if (requestedKty !== undefined && requestedKty !== 'RSA' && requestedKty !== 'EC') {
    invalid('key_props.kty', `"${requestedKty}" is not a certificate key type; use RSA or EC`);
  }
  // A curve without a key type means EC; nothing at all keeps what the certificate had, else RSA.
  const kty = requestedKty ?? (input?.crv ? 'EC' : (base?.kty ?? 'RSA'));
  let spec: KeySpec;
  if (kty === 'RSA') {
    const size = input?.key_size ?? (base?.kty === 'RSA' ? base.keySize : 2048);
    if (!(RSA_KEY_SIZES as readonly number[]).includes(size)) invalid('key_props.key_size', `${size} is not supported for RSA; use 2048, 3072 or 4096`);
    spec = { kty: 'RSA', keySize: size as RsaKeySize };
  } else {
    const curve = input?.crv ?? (base?.kty === 'EC' ? base.curve : 'P-256');
    if (!(EC_CURVES as readonly string[]).includes(curve)) invalid('key_props.crv', `"${curve}" is not supported; use P-256, P-384, P-521 or P-256K`);
    spec = { kty: 'EC', curve: curve as EcCurve };
  }
  return {
    ...spec,
    exportable: input?.exportable ?? base?.exportable ?? true,
    reuseKey: input?.reuse_key ?? base?.reuseKey ?? false,
  };
}

function resolveKeyUsage(input: Maybe<string[]>, key: KeySpec, base: KeyUsageName[] | undefined): KeyUsageName[] {
  if (input === undefined || input === null) {
    if (base) return base;
    return key.kty === 'RSA' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  }
  const unknown = input.filter((u) => !(KEY_USAGES as readonly string[]).includes(u));
  if (unknown.length > 0) {
    invalid('x509_props.key_usage', `${unknown.map((u) => `"${u}"`).join(', ')} not among ${KEY_USAGES.join(', ')}`);
  }
  return [...new Set(input as KeyUsageName[])];
}

function resolveEkus(input: Maybe<string[]>, base: string[] | undefined): string[] {
  if (input === undefined || input === null) return base ?? [SERVER_AUTH, CLIENT_AUTH];
  const malformed = input.filter((oid) => !/^[0-2](\.(0|[1-9][0-9]*))+$/.test(oid));
  if (malformed.length > 0) invalid('x509_props.ekus', `${malformed.map((o) => `"${o}"`).join(', ')} is not an object identifier`);
  return [...new Set(input)];
}

function resolveValidityMonths(input: Maybe<number>, base: number | undefined): number {
  const months = input ?? base ?? 12;
  if (!Number.isInteger(months) || months < 1 || months > MAX_VALIDITY_MONTHS) {
    invalid('x509_props.validity_months', `${months} must be a whole number of months from 1 to ${MAX_VALIDITY_MONTHS}`);
  }
  return months;
}

function resolveLifetimeActions(
  input: PolicyInput['lifetime_actions'],
  issuerName: string,
  validityMonths: number,
  base: LifetimeAction[] | undefined,
): LifetimeAction[] {
  const defaultAction = issuerName === UNKNOWN_ISSUER ? 'EmailContacts' : 'AutoRenew';
  const actions: LifetimeAction[] =
    input === undefined || input === null
      ? (base ?? [{ trigger: { lifetimePercentage: DEFAULT_LIFETIME_PERCENTAGE }, action: defaultAction }])
      : input.map((raw, i) => resolveLifetimeAction(raw, i, validityMonths));
  if (actions.length > 1) throw new ValidationError('At most one action is allowed');
  if (issuerName === UNKNOWN_ISSUER && actions.some((a) => a.action === 'AutoRenew')) {
    throw new ValidationError(
      'Property lifetime_actions has invalid value: AutoRenew needs an issuer; a certificate with issuer Unknown can only use EmailContacts',
    );
  }
  return actions;
}

function resolveLifetimeAction(raw: NonNullable<PolicyInput['lifetime_actions']>[number], index: number, validityMonths: number): LifetimeAction {
  const where = `lifetime_actions[${index}]`;
  const type = raw.action?.action_type;
  if (type !== 'AutoRenew' && type !== 'EmailContacts') invalid(`${where}.action.action_type`, `"${type}" must be AutoRenew or EmailContacts`);
  const percentage = raw.trigger?.lifetime_percentage ?? undefined;
  const days = raw.trigger?.days_before_expiry ?? undefined;
  if ((percentage === undefined) === (days === undefined)) {
    invalid(`${where}.trigger`, 'give exactly one of lifetime_percentage and days_before_expiry');
  }
  if (percentage !== undefined) {
    if (!Number.isInteger(percentage) || percentage < 1 || percentage > 99) invalid(`${where}.trigger.lifetime_percentage`, `${percentage} must be from 1 to 99`);
    return { trigger: { lifetimePercentage: percentage }, action: type };
  }
  const maxDays = validityMonths * 27;
  if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > maxDays) {
    invalid(`${where}.trigger.days_before_expiry`, `${days} must be from 1 to ${maxDays} (validity_months × 27)`);
  }
  return { trigger: { daysBeforeExpiry: days as number }, action: type };
}

function cleanList(values: Maybe<string[]>): string[] {
  return (values ?? []).map((v) => v.trim()).filter((v) => v.length > 0);
}

type SansInput = NonNullable<PolicyInput['x509_props']>['sans'];

/**
 * Each list given replaces that list; one left out keeps the current one (an update) or is empty (a new
 * policy). The SDKs send `sans: {}` with every policy update, which so changes nothing, as on Key Vault.
 */
function resolveSans(input: SansInput, base: SubjectAlternativeNames | undefined): SubjectAlternativeNames {
  const pick = (field: string, given: Maybe<string[]>, current: string[] | undefined, check?: (name: string) => string | undefined) => {
    if (given === undefined || given === null) return current ?? [];
    const names = cleanList(given);
    for (const name of names) {
      const problem = check?.(name);
      if (problem) invalid(`x509_props.sans.${field}`, `"${name}" ${problem}`);
    }
    return names;
  };
  return {
    emails: pick('emails', input?.emails, base?.emails, ia5Problem),
    dnsNames: pick('dns_names', input?.dns_names, base?.dnsNames, ia5Problem),
    upns: pick('upns', input?.upns, base?.upns),
    uris: pick('uris', input?.uris, base?.uris, ia5Problem),
    ipAddresses: pick('ipAddresses', input?.ipAddresses, base?.ipAddresses, (name) => (isIP(name) === 0 ? 'is not an IPv4 or IPv6 address' : undefined)),
  };
}

/**
 * DNS names, email addresses and URIs are IA5 strings in a certificate (RFC 5280 §4.2.1.6): printable ASCII
 * only. Refused with the policy, rather than failing when a CSR is built from it; an internationalised domain
 * name goes in its A-label form (`xn--…`).
 */
function ia5Problem(name: string): string | undefined {
  return /^[\x20-\x7e]+$/.test(name) ? undefined : 'must be printable ASCII (an internationalised name in its xn-- form)';
}

function resolveSecretContentType(input: Maybe<string>, base: SecretContentType | undefined): SecretContentType {
  const type = input ?? base ?? 'application/x-pkcs12';
  if (!SECRET_CONTENT_TYPES.includes(type as SecretContentType)) {
    invalid('secret_props.contentType', `"${type}" must be application/x-pkcs12 or application/x-pem-file`);
  }
  return type as SecretContentType;
}

/**
 * Applies Key Vault's defaults and rules to a policy as sent. With `base`, members the caller left out keep
 * their current values (the merge semantics of a policy update); without it, a new certificate's defaults.
 */
export function resolvePolicy(input: PolicyInput | undefined, nowSeconds: number, base?: CertificatePolicy): CertificatePolicy {
  const key = resolveKey(input?.key_props, base?.key);
  const x509 = input?.x509_props;
  const issuerName = resolveIssuerName(input?.issuer?.name, base?.issuer.name);
  const validityMonths = resolveValidityMonths(x509?.validity_months, base?.validityMonths);
  const sans = resolveSans(x509?.sans, base?.sans);
  const subject = (x509?.subject ?? base?.subject ?? '').trim();
  const sanCount = Object.values(sans).reduce((n, list) => n + list.length, 0);
  if (subject === '' && sanCount === 0) {
    invalid('x509_props', 'a certificate needs a subject or at least one subject alternative name');
  }
  const issuerInput = input?.issuer;
  const certificateType = issuerInput?.cty ?? (issuerInput?.name ? undefined : base?.issuer.certificateType);
  const certificateTransparency = issuerInput?.cert_transparency ?? (issuerInput?.name ? undefined : base?.issuer.certificateTransparency);
  return {
    key,
    secretContentType: resolveSecretContentType(input?.secret_props?.contentType, base?.secretContentType),
    subject,
    sans,
    ekus: resolveEkus(x509?.ekus, base?.ekus),
    keyUsage: resolveKeyUsage(x509?.key_usage, key, base?.keyUsage),
    validityMonths,
    lifetimeActions: resolveLifetimeActions(input?.lifetime_actions, issuerName, validityMonths, base?.lifetimeActions),
    issuer: {
      name: issuerName,
      ...(certificateType ? { certificateType } : {}),
      ...(certificateTransparency !== undefined ? { certificateTransparency } : {}),
    },
    enabled: input?.attributes?.enabled ?? base?.enabled ?? true,
    created: base?.created ?? nowSeconds,
    updated: nowSeconds,
  };
}
