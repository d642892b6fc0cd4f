import type { CertificatePolicy } from '../../domain/certificate-policy';
import { isCaPolicy } from '../../domain/ca-policy';
import { policyId } from './identifiers';

/** A policy on the wire, as Key Vault shows it (empty SAN lists left out, like the real service). */
export function policyToWire(vault: string, name: string, policy: CertificatePolicy): Record<string, unknown> {
  const { key, sans } = policy;
  const wireSans = Object.fromEntries(
    (
      [
        ['emails', sans.emails],
        ['dns_names', sans.dnsNames],
        ['upns', sans.upns],
        ['uris', sans.uris],
        ['ipAddresses', sans.ipAddresses],
      ] as const
    ).filter(([, list]) => list.length > 0),
  );
  return {
    id: policyId(vault, name),
    key_props: {
      exportable: key.exportable,
      kty: key.kty,
      ...(key.kty === 'RSA' ? { key_size: key.keySize } : { crv: key.curve }),
      reuse_key: key.reuseKey,
    },
    secret_props: { contentType: policy.secretContentType },
    x509_props: {
      subject: policy.subject,
      ...(Object.keys(wireSans).length > 0 ? { sans: wireSans } : {}),
      ekus: policy.ekus,
      key_usage: policy.keyUsage,
      validity_months: policy.validityMonths,
      // Undocumented but shown by the real service; true here when keyCertSign makes the policy a CA's.
      basic_constraints: { ca: isCaPolicy(policy) },
    },
    lifetime_actions: policy.lifetimeActions.map((a) => ({
      trigger:
        'lifetimePercentage' in a.trigger
          ? { lifetime_percentage: a.trigger.lifetimePercentage }
          : { days_before_expiry: a.trigger.daysBeforeExpiry },
      action: { action_type: a.action },
    })),
    issuer: {
      name: policy.issuer.name,
      ...(policy.issuer.certificateType ? { cty: policy.issuer.certificateType } : {}),
      ...(policy.issuer.certificateTransparency !== undefined ? { cert_transparency: policy.issuer.certificateTransparency } : {}),
    },
    attributes: { enabled: policy.enabled, created: policy.created, updated: policy.updated },
  };
}
