import type { CaConstraints, CertificateProfile } from './certificate-profile';
import { parseSubject } from './distinguished-name';

/**
 * DNS name constraints (RFC 5280 4.2.1.10) as OpenSSL applies them, so that what the CA refuses here is
 * what a verifier would refuse later, and nothing more.
 */

/**
 * Whether `name` lies in the subtree `base`: "example.com" covers example.com and every name below it,
 * ".example.com" only the names below it. Case-insensitive; a wildcard label is compared as written
 * ("*.example.com" is in example.com, and not in secret.example.com), as OpenSSL does.
 */
export function dnsNameInSubtree(name: string, base: string): boolean {
  const n = name.toLowerCase();
  const b = base.toLowerCase();
  if (b === '') return true;
  if (n.length > b.length) return n.endsWith(b) && (b.startsWith('.') || n[n.length - b.length - 1] === '.');
  return n === b;
}

/**
 * The DNS names a verifier checks against the constraints: the SAN's DNS names, or when there are none,
 * common names that look like host names (OpenSSL's fallback since 1.1.0, which Chrome and Go do not have
 * but which would refuse the chain all the same).
 */
export function constrainedDnsNames(profile: Pick<CertificateProfile, 'subject' | 'sans'>): string[] {
  if (profile.sans.dnsNames.length > 0) return profile.sans.dnsNames;
  const commonNames = parseSubject(profile.subject).getField('CN');
  return commonNames.filter((cn) => /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(cn));
}

/** Why `names` break `constraints`, in words for the requester; undefined when they do not. */
export function dnsConstraintViolation(names: readonly string[], constraints: CaConstraints): string | undefined {
  for (const name of names) {
    const excludedBy = constraints.excludedDnsDomains.find((base) => dnsNameInSubtree(name, base));
    if (excludedBy !== undefined) return `the DNS name '${name}' is in the excluded subtree '${excludedBy}'`;
    const permitted = constraints.permittedDnsDomains;
    if (permitted.length > 0 && !permitted.some((base) => dnsNameInSubtree(name, base))) {
      return `the DNS name '${name}' is outside the permitted subtrees (${permitted.join(', ')})`;
    }
  }
  return undefined;
}
