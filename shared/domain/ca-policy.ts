import { unconstrainedCa, type CaConstraints, type KeyUsageName } from '../crypto/certificate-profile';
import { ValidationError } from './validation-error';

/**
 * How a certificate asks to be a CA. Key Vault's policy has no basic-constraints field (the real service
 * shows a read-only `basic_constraints: {"ca": false}`), so the key usage decides: `keyCertSign` is only
 * meaningful for a CA, and a certificate that may sign certificates without saying CA:true is refused by
 * every verifier. What a policy cannot say (path length, name constraints) rides on the certificate's tags,
 * which every official SDK can set at create time. See docs/private-ca.md.
 */

export const CA_TAGS = {
  /** A non-negative integer: how many intermediate CAs may follow this one. */
  pathLength: 'ca-path-length',
  /** DNS subtrees, comma-separated: the only names certificates below this CA may carry. */
  permittedDnsDomains: 'ca-permitted-dns',
  /** DNS subtrees, comma-separated: names no certificate below this CA may carry. */
  excludedDnsDomains: 'ca-excluded-dns',
} as const;

/** A path length beyond this is a typo, not a hierarchy (real PKIs use 0 to 2). */
const MAX_PATH_LENGTH = 16;
/** A DNS name or subtree: labels of letters, digits, '-' and '_', optionally a leading '.' (subdomains only). */
const DNS_SUBTREE = /^\.?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

export function isCaPolicy(policy: { readonly keyUsage: readonly KeyUsageName[] }): boolean {
  return policy.keyUsage.includes('keyCertSign');
}

/**
 * The constraints a CA policy asks for, read from the certificate's tags; undefined for a policy that is
 * not a CA's (its `ca-*` tags, if any, are then ordinary tags). Throws ValidationError on a malformed tag.
 */
export function caConstraintsOfPolicy(
  policy: { readonly keyUsage: readonly KeyUsageName[] },
  tags: Readonly<Record<string, string>> = {},
): CaConstraints | undefined {
  if (!isCaPolicy(policy)) return undefined;
  const pathLength = tags[CA_TAGS.pathLength];
  return {
    ...unconstrainedCa(),
    ...(pathLength === undefined ? {} : { pathLength: parsePathLength(pathLength) }),
    permittedDnsDomains: parseDnsSubtrees(CA_TAGS.permittedDnsDomains, tags[CA_TAGS.permittedDnsDomains]),
    excludedDnsDomains: parseDnsSubtrees(CA_TAGS.excludedDnsDomains, tags[CA_TAGS.excludedDnsDomains]),
  };
}

function parsePathLength(value: string): number {
  const trimmed = value.trim();
  const parsed = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || parsed > MAX_PATH_LENGTH) {
    throw new ValidationError(`Tag '${CA_TAGS.pathLength}' must be a whole number from 0 to ${MAX_PATH_LENGTH}, not '${value}'.`);
  }
  return parsed;
}

function parseDnsSubtrees(tag: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  const domains = value.split(',').map((d) => d.trim().toLowerCase()).filter((d) => d !== '');
  if (domains.length === 0) throw new ValidationError(`Tag '${tag}' must list at least one DNS name, comma-separated.`);
  for (const domain of domains) {
    if (!DNS_SUBTREE.test(domain) || domain.length > 253) {
      throw new ValidationError(`Tag '${tag}': '${domain}' is not a DNS name (e.g. corp.example.com, or .example.com for subdomains only).`);
    }
  }
  return [...new Set(domains)];
}
