import type { CreateCertificateBody } from '../api/schemas/request-bodies.schema';
import { createCsr } from '../crypto/csr';
import { assertDistinguishedName } from '../crypto/distinguished-name';
import { profileOfPolicy } from '../crypto/profile-of-policy';
import { unixSeconds } from '../domain/clock';
import {
  type PendingOperation,
  isIssuerDriven,
  issuableFromFor,
  secondsUntilIssuable,
  statusDetailsOnCreate,
} from '../domain/pending-operation';
import { resolvePolicy } from '../domain/policy-resolution';
import { ValidationError } from '../domain/validation-error';
import { WriteConflictError } from '../storage/storage-errors';
import { changeListedCertificate } from './listing-reconciliation';
import type { CertificatePolicy } from '../domain/certificate-policy';
import type { RenewalOrigin } from '../domain/renewal-status';
import { type NewVersionInput, assertIssuerExists, conflictFor, newVersionFields, versionAttributesOf, versionToReplace } from './new-version';
import { keyPairForNewVersion } from './version-key';
import { firstStatusEntryOf } from './status-sweep';
import type { ServiceContext } from './service-context';

/**
 * POST /certificates/{name}/create: makes the key and CSR, records the pending operation with one
 * conditional write (the commit point), then hands issuer-driven requests (Self included) to the job queue.
 * Nothing is issued here: the 202 always answers an operation in progress, as Key Vault's does.
 */
export async function createCertificate(ctx: ServiceContext, name: string, body: CreateCertificateBody): Promise<PendingOperation> {
  const now = unixSeconds(ctx.clock);
  const policy = resolvePolicy(body.policy ?? undefined, now);
  try {
    if (policy.subject) assertDistinguishedName(policy.subject);
  } catch (error) {
    throw new ValidationError(`Property x509_props.subject has invalid value: ${(error as Error).message}`);
  }
  await assertIssuerExists(ctx, policy);
  return startIssuedVersion(ctx, name, policy, versionAttributesOf(body));
}

/**
 * The create path after its policy is settled: what a create request and an AutoRenew (lifetime-sweep.ts)
 * share. Refuses (409) while another version is being made, so a renewal never doubles an operation. A
 * renewal passes its origin, which the operation carries to the paths that end it.
 */
export async function startIssuedVersion(
  ctx: ServiceContext,
  name: string,
  policy: CertificatePolicy,
  versionAttributes: Pick<NewVersionInput, 'attributes' | 'tags' | 'preserveCertOrder'>,
  renewal: { origin?: RenewalOrigin; replaces?: string } = {},
): Promise<PendingOperation> {
  const now = unixSeconds(ctx.clock);
  const { operation: existing, head } = await versionToReplace(ctx, name);

  const keyPair = await keyPairForNewVersion(ctx, name, policy, head);
  const csr = await createCsr(keyPair, policy.key, profileOfPolicy(policy, versionAttributes.tags ?? {}));
  // Counted from here, after the key generation, so the wait the caller sees after the 202 is not shortened by it.
  const recordedMs = ctx.clock().getTime();
  const issuableFrom = issuableFromFor(recordedMs, ctx.issuanceMinSeconds);
  const op: PendingOperation = {
    ...newVersionFields(ctx, { name, policy, ...versionAttributes, ...keyPair, now }),
    csr: csr.toString('base64'),
    status: 'inProgress',
    statusDetails: statusDetailsOnCreate(policy.issuer.name),
    deleted: false,
    ...(issuableFrom !== undefined ? { issuableFrom } : {}),
    ...(renewal.replaces ? { replaces: renewal.replaces } : {}),
    ...(renewal.origin ? { renewal: renewal.origin } : {}),
  };

  const job = { name, requestId: op.requestId };
  const due = firstStatusEntryOf(ctx, op);
  // The due entry goes first: if we crash after the operation write, the sweep still finds the operation.
  if (isIssuerDriven(op)) await ctx.dueIndex.schedule(due);
  // A name with neither operation nor head has no list row yet: the refresh inserts one without looking.
  const written = { operation: op, ...(head ? { head } : {}), unlisted: !existing && !head };
  try {
    await changeListedCertificate(
      ctx,
      name,
      async () => {
        await ctx.certificates.putOperation(op, existing?.etag);
        // With a minimum issuance time the first run waits for it on the queue instead of waking only to wait.
        if (isIssuerDriven(op)) await ctx.jobs.enqueue(job, { delaySeconds: secondsUntilIssuable(op, ctx.clock().getTime()) });
      },
      written,
    );
  } catch (error) {
    // Any other failure may have come after the write committed: the entry stays, and the sweep drops it
    // when it finds the operation is not this one.
    if (!(error instanceof WriteConflictError)) throw error;
    if (isIssuerDriven(op)) await ctx.dueIndex.remove(due);
    throw await conflictFor(ctx, name);
  }
  return op;
}

