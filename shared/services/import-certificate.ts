import { errors } from '../api/errors';
import type { ImportCertificateBody } from '../api/schemas/request-bodies.schema';
import type { ParsedCertificate } from '../crypto/certificate-chain';
import { ImportContentError, type ImportedMaterial, readImportContent } from '../crypto/import-content';
import { keySpecOfPublicKey } from '../crypto/key-pair';
import { profileOfCertificate } from '../crypto/profile-of-certificate';
import { UNKNOWN_ISSUER } from '../domain/certificate-policy';
import type { CertificateVersion } from '../domain/certificate-version';
import { unixSeconds } from '../domain/clock';
import type { PendingOperation } from '../domain/pending-operation';
import { type PolicyInput, resolvePolicy } from '../domain/policy-resolution';
import { WriteConflictError } from '../storage/storage-errors';
import { assertIssuerExists, conflictFor, newVersionFields, operationToReplace, versionAttributesOf } from './new-version';
import { versionFromChain, writeCompletedVersion } from './finish-operation';
import type { ServiceContext } from './service-context';

/** A version row keeps its chain in one 64 KiB table column (UTF-16): base64 text beyond this cannot be stored. */
const MAX_CHAIN_CHARACTERS = 30_000;
const AVERAGE_MONTH_SECONDS = (365.25 / 12) * 86_400;

/**
 * POST /certificates/{name}/import: the certificate and key the caller brings become a new completed version,
 * written exactly as a completed create is (writeCompletedVersion). The policy is derived from the
 * certificate (issuer Unknown, as on Key Vault); whatever policy the caller sent wins where it may (content
 * type, exportable, lifetime actions, issuer), while the key and the names are the certificate's own.
 * The operation row it writes is completed and not visible through /pending (imports have no pending
 * request); writing it, conditionally, is what serialises an import with a concurrent create.
 */
export async function importCertificate(ctx: ServiceContext, name: string, body: ImportCertificateBody): Promise<CertificateVersion> {
  const now = unixSeconds(ctx.clock);
  let material: ImportedMaterial;
  try {
    material = readImportContent(body.value, body.pwd ?? undefined, body.preserveCertOrder ?? false);
  } catch (error) {
    if (error instanceof ImportContentError) throw errors.badParameter(error.message);
    throw error;
  }
  const chainCharacters = material.chain.reduce((n, c) => n + Math.ceil(c.der.length / 3) * 4, 0);
  if (chainCharacters > MAX_CHAIN_CHARACTERS) {
    throw errors.badParameter(`The certificates in value are too large to store (${material.chain.length} certificates); import the leaf and its issuers only`);
  }

  const policy = resolvePolicy(policyInputFor(material, body.policy ?? undefined), now);
  await assertIssuerExists(ctx, policy);

  const existing = await operationToReplace(ctx, name);

  const operation: PendingOperation = {
    ...newVersionFields(ctx, { name, policy, ...versionAttributesOf(body), privateKeyPkcs8: material.privateKeyPkcs8, publicKeySpki: material.publicKeySpki, now }),
    csr: '',
    status: 'completed',
    deleted: true,
  };
  const completedVersion = versionFromChain(operation, material.chain, now);
  try {
    await writeCompletedVersion(ctx, operation, existing?.etag, completedVersion);
  } catch (error) {
    if (error instanceof WriteConflictError) throw await conflictFor(ctx, name);
    throw error;
  }
  return completedVersion;
}

/**
 * The policy Key Vault shows for an imported certificate: key type and size, subject, SANs, EKUs, key usage
 * and validity from the certificate and its key; the secret's content type from the format sent; issuer
 * Unknown. Members of the caller's policy that describe the certificate itself are not taken from it.
 */
function policyInputFor(material: ImportedMaterial, given: PolicyInput | undefined): PolicyInput {
  const leaf = material.chain[0] as ParsedCertificate;
  const keySpec = keySpecOfPublicKey(material.publicKeySpki);
  if (!keySpec) {
    throw errors.badParameter(
      "The certificate's key is not one a Key Vault certificate can have: use RSA 2048, 3072 or 4096, or EC P-256, P-384, P-521 or P-256K",
    );
  }
  const profile = profileOfCertificate(leaf.der);
  const lifetimeSeconds = (leaf.notAfter.getTime() - leaf.notBefore.getTime()) / 1000;
  const validityMonths = Math.min(1200, Math.max(1, Math.round(lifetimeSeconds / AVERAGE_MONTH_SECONDS)));
  return {
    key_props: {
      ...(keySpec.kty === 'RSA' ? { kty: 'RSA', key_size: keySpec.keySize } : { kty: 'EC', crv: keySpec.curve }),
      exportable: given?.key_props?.exportable ?? true,
      reuse_key: given?.key_props?.reuse_key ?? false,
    },
    secret_props: {
      contentType: given?.secret_props?.contentType ?? (material.format === 'pem' ? 'application/x-pem-file' : 'application/x-pkcs12'),
    },
    x509_props: {
      subject: profile.subject,
      sans: {
        emails: profile.sans.emails,
        dns_names: profile.sans.dnsNames,
        upns: profile.sans.upns,
        uris: profile.sans.uris,
        ipAddresses: profile.sans.ipAddresses,
      },
      ekus: profile.ekus,
      key_usage: profile.keyUsage,
      validity_months: given?.x509_props?.validity_months ?? validityMonths,
    },
    lifetime_actions: given?.lifetime_actions ?? null,
    issuer: given?.issuer?.name ? given.issuer : { name: UNKNOWN_ISSUER },
    attributes: given?.attributes ?? null,
  };
}

