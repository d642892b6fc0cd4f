import { isIP } from 'node:net';
import type { JsonGeneralName } from '@peculiar/x509';
import {
  CertificateProfileError,
  hasAnySan,
  type CertificateProfile,
  type KeyUsageName,
  type SubjectAlternativeNames,
} from './certificate-profile';
import { caExtensions } from './ca-extensions';
import { type X509, x509 } from './x509';

/** The extensions a profile asks for, shared by CSRs and certificates so both say the same thing. */

const OID_PATTERN = /^[0-2](\.(0|[1-9]\d*))+$/;
const IA5 = /^[\x20-\x7e]+$/;

/**
 * SAN, EKU and key usage, each only when non-empty, after the CA extensions when the profile is a CA's.
 * With an empty subject the SAN carries the identity, and RFC 5280 (4.2.1.6) then requires it to be critical.
 */
export function profileExtensions(profile: CertificateProfile, subjectIsEmpty: boolean): X509.Extension[] {
  const extensions: X509.Extension[] = profile.ca ? caExtensions(profile.ca) : [];
  if (hasAnySan(profile.sans)) extensions.push(sanExtension(profile.sans, subjectIsEmpty));
  if (profile.ekus.length > 0) extensions.push(ekuExtension(profile.ekus));
  if (profile.keyUsage.length > 0) extensions.push(keyUsageExtension(profile.keyUsage));
  return extensions;
}

function sanExtension(sans: SubjectAlternativeNames, critical: boolean): X509.SubjectAlternativeNameExtension {
  const names: JsonGeneralName[] = [
    ...sans.dnsNames.map((value) => ia5Name('dns', 'DNS name', value)),
    ...sans.emails.map((value) => ia5Name('email', 'email', value)),
    ...sans.upns.map((value) => nonEmpty('upn', 'UPN', value)),
    ...sans.uris.map((value) => ia5Name('url', 'URI', value)),
    ...sans.ipAddresses.map(ipName),
  ];
  const { SubjectAlternativeNameExtension } = x509();
  return new SubjectAlternativeNameExtension(names, critical);
}

function ekuExtension(ekus: string[]): X509.ExtendedKeyUsageExtension {
  for (const oid of ekus) {
    if (!OID_PATTERN.test(oid)) throw new CertificateProfileError(`"${oid}" is not a valid extended key usage OID`);
  }
  const { ExtendedKeyUsageExtension } = x509();
  return new ExtendedKeyUsageExtension([...new Set(ekus)], false);
}

/** Critical, as RFC 5280 (4.2.1.3) recommends, so verifiers that do not understand it refuse the key. */
function keyUsageExtension(names: KeyUsageName[]): X509.KeyUsagesExtension {
  const { KeyUsagesExtension } = x509();
  return new KeyUsagesExtension(keyUsageFlags(names), true);
}

function keyUsageFlags(names: readonly KeyUsageName[]): X509.KeyUsageFlags {
  const { KeyUsageFlags } = x509();
  return names.reduce<number>((flags, name) => flags | KeyUsageFlags[name], 0);
}

/** dNSName, rfc822Name and URI are IA5String: non-ASCII input would make an unparseable certificate. */
function ia5Name(type: JsonGeneralName['type'], label: string, value: string): JsonGeneralName {
  if (!IA5.test(value)) throw new CertificateProfileError(`SAN ${label} "${value}" must be non-empty printable ASCII`);
  return { type, value };
}

function nonEmpty(type: JsonGeneralName['type'], label: string, value: string): JsonGeneralName {
  if (value.trim() === '') throw new CertificateProfileError(`SAN ${label} must not be empty`);
  return { type, value };
}

function ipName(value: string): JsonGeneralName {
  if (isIP(value) === 0) {
    throw new CertificateProfileError(`SAN IP address "${value}" is not a valid IPv4 or IPv6 address`);
  }
  return { type: 'ip', value };
}
