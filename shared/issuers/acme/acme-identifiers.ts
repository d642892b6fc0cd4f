import type { CertificatePolicy } from '../../domain/certificate-policy';

/**
 * The DNS names an ACME order asks for: the subject's CN and the policy's DNS SANs, lower-cased, each once,
 * the CN first (it is what the CSR's subject says). ACME certifies DNS names only (RFC 8555 §7.1.4, with IP
 * addresses in RFC 8738, which the CAs in use do not offer), so any other SAN refuses the request.
 */
export type AcmeNames = { ok: true; names: string[] } | { ok: false; reason: string };

export function acmeNamesOf(policy: Pick<CertificatePolicy, 'subject' | 'sans'>): AcmeNames {
  const { sans } = policy;
  const others = [...sans.emails, ...sans.upns, ...sans.uris, ...sans.ipAddresses];
  if (others.length > 0) {
    return { ok: false, reason: `An ACME CA certifies DNS names only; the policy also asks for ${others.join(', ')}.` };
  }
  const cn = /(?:^|[,+])\s*CN\s*=\s*([^,+]+)/i.exec(policy.subject)?.[1]?.trim();
  const names = [...new Set([...(cn ? [cn] : []), ...sans.dnsNames].map((n) => n.toLowerCase().replace(/\.$/, '')))];
  if (names.length === 0) return { ok: false, reason: 'An ACME certificate needs a DNS name: the policy has no subject CN and no DNS SAN.' };
  const bad = names.find((n) => !/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{1,63}$/.test(n));
  if (bad) return { ok: false, reason: `'${bad}' is not a DNS name an ACME CA can certify (a fully qualified name, or *. and one).` };
  return { ok: true, names };
}
