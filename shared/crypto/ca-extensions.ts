import type { GeneralSubtrees } from '@peculiar/asn1-x509';
import { asn1Schema, asn1X509 } from '../lazy-packages';
import type { CaConstraints } from './certificate-profile';
import { type X509, x509 } from './x509';

/** The extensions that make a certificate a CA, and reading them back from a CA certificate. */

/**
 * basicConstraints CA:true with its path length, and nameConstraints when the CA is limited to DNS
 * subtrees. Both critical: RFC 5280 requires it of nameConstraints (4.2.1.10) and of basicConstraints in a
 * CA certificate (4.2.1.9), so a verifier that cannot enforce them refuses the chain rather than ignoring them.
 */
export function caExtensions(ca: CaConstraints): X509.Extension[] {
  const { BasicConstraintsExtension } = x509();
  const extensions: X509.Extension[] = [new BasicConstraintsExtension(true, ca.pathLength, true)];
  if (ca.permittedDnsDomains.length + ca.excludedDnsDomains.length > 0) extensions.push(nameConstraintsExtension(ca));
  return extensions;
}

function nameConstraintsExtension(ca: CaConstraints): X509.Extension {
  const { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } = asn1X509();
  const subtrees = (domains: string[]): GeneralSubtrees | undefined =>
    domains.length === 0
      ? undefined
      : new GeneralSubtrees(domains.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })));
  const value = new NameConstraints({
    ...optional('permittedSubtrees', subtrees(ca.permittedDnsDomains)),
    ...optional('excludedSubtrees', subtrees(ca.excludedDnsDomains)),
  });
  const { Extension } = x509();
  return new Extension(id_ce_nameConstraints, true, asn1Schema().AsnConvert.serialize(value));
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** What a certificate may sign as a CA, or undefined when it is not one (basicConstraints absent or CA:false). */
export function caConstraintsOf(cert: X509.X509Certificate): CaConstraints | undefined {
  const basic = cert.getExtension(x509().BasicConstraintsExtension);
  if (!basic?.ca) return undefined;
  const { NameConstraints, id_ce_nameConstraints } = asn1X509();
  const names = cert.getExtension(id_ce_nameConstraints);
  const constraints = names ? asn1Schema().AsnConvert.parse(names.value, NameConstraints) : new NameConstraints();
  return {
    ...(basic.pathLength === undefined ? {} : { pathLength: basic.pathLength }),
    permittedDnsDomains: dnsBases(constraints.permittedSubtrees),
    excludedDnsDomains: dnsBases(constraints.excludedSubtrees),
  };
}

/** Only DNS subtrees are read: other kinds (IP, email, directory name) are left to the verifier to enforce. */
function dnsBases(subtrees: GeneralSubtrees | undefined): string[] {
  return [...(subtrees ?? [])].flatMap((subtree) => (subtree.base.dNSName === undefined ? [] : [subtree.base.dNSName]));
}

/** Whether the certificate's key usage allows it to sign certificates (keyCertSign). */
export function canSignCertificates(cert: X509.X509Certificate): boolean {
  const { KeyUsagesExtension, KeyUsageFlags } = x509();
  const usage = cert.getExtension(KeyUsagesExtension);
  return usage !== null && (usage.usages & KeyUsageFlags.keyCertSign) !== 0;
}
