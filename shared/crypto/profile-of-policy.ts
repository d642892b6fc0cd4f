import type { CertificatePolicy } from '../domain/certificate-policy';
import type { CertificateProfile } from './certificate-profile';
import { normalizeDistinguishedName } from './distinguished-name';

/** What goes into a CSR or certificate, taken from a policy. */
export function profileOfPolicy(policy: CertificatePolicy): CertificateProfile {
  return {
    subject: normalizeDistinguishedName(policy.subject),
    sans: policy.sans,
    ekus: policy.ekus,
    keyUsage: policy.keyUsage,
  };
}
