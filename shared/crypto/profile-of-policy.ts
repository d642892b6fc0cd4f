import type { CertificatePolicy } from '../domain/certificate-policy';
import { caConstraintsOfPolicy } from '../domain/ca-policy';
import type { CertificateProfile } from './certificate-profile';
import { normalizeDistinguishedName } from './distinguished-name';

/**
 * What goes into a CSR or certificate, taken from a policy; a policy with `keyCertSign` makes a CA,
 * limited by the certificate's `ca-*` tags when given (domain/ca-policy.ts).
 */
export function profileOfPolicy(policy: CertificatePolicy, tags: Readonly<Record<string, string>> = {}): CertificateProfile {
  const ca = caConstraintsOfPolicy(policy, tags);
  return {
    subject: normalizeDistinguishedName(policy.subject),
    sans: policy.sans,
    ekus: policy.ekus,
    keyUsage: policy.keyUsage,
    ...(ca ? { ca } : {}),
  };
}
