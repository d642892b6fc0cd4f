import { type CertificateProfile, KEY_USAGE_NAMES, emptySans } from './certificate-profile';
import { x509 } from './x509';

/**
 * What an existing certificate says about its holder, in the terms a policy uses: the reverse of
 * profileOfPolicy, for certificates that come from outside (import). SAN kinds a policy cannot name
 * (directory names, registered ids, other names than UPN) are left out.
 */
export function profileOfCertificate(der: Buffer): CertificateProfile {
  const { X509Certificate, SubjectAlternativeNameExtension, ExtendedKeyUsageExtension, KeyUsagesExtension, KeyUsageFlags } = x509();
  const cert = new X509Certificate(new Uint8Array(der));
  const sans = emptySans();
  const san = cert.getExtension(SubjectAlternativeNameExtension);
  for (const name of san?.names.toJSON() ?? []) {
    if (name.type === 'dns') sans.dnsNames.push(name.value);
    else if (name.type === 'email') sans.emails.push(name.value);
    else if (name.type === 'upn') sans.upns.push(name.value);
    else if (name.type === 'url') sans.uris.push(name.value);
    else if (name.type === 'ip') sans.ipAddresses.push(name.value);
  }
  const eku = cert.getExtension(ExtendedKeyUsageExtension);
  const keyUsage = cert.getExtension(KeyUsagesExtension);
  return {
    subject: cert.subject,
    sans,
    ekus: eku ? eku.usages.map(String) : [],
    keyUsage: keyUsage ? KEY_USAGE_NAMES.filter((name) => (keyUsage.usages & KeyUsageFlags[name]) !== 0) : [],
  };
}
