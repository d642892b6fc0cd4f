import { errors } from '../api/errors';
import { assertDistinguishedName } from '../crypto/distinguished-name';
import type { CertificatePolicy } from '../domain/certificate-policy';
import { unixSeconds } from '../domain/clock';
import { type PendingOperation, certificatePolicyOf, withCurrentPolicy } from '../domain/pending-operation';
import { type PolicyInput, resolvePolicy } from '../domain/policy-resolution';
import { ValidationError } from '../domain/validation-error';
import type { CertificateHead, Stored } from '../storage/repositories';
import { WriteConflictError } from '../storage/storage-errors';
import { isDeleted } from './certificate-reads';
import { assertIssuerExists } from './new-version';
import { scheduleLifetimeOf } from './lifetime-entries';
import type { ServiceContext } from './service-context';

/** A certificate's policy, with the name as the certificate spells it (the policy's `id` uses it). */
export interface NamedPolicy {
  name: string;
  policy: CertificatePolicy;
}

/** What a policy change reads: the operation and the head, each with the ETag its write must present. */
interface PolicyState {
  operation: Stored<PendingOperation>;
  head: Stored<CertificateHead> | undefined;
  current: NamedPolicy;
}

/**
 * A lost race is retried on fresh state (a merge onto what the winner wrote is what the caller asked for);
 * only a name changed this often by others in the same instant answers 409.
 */
const MAX_ATTEMPTS = 3;

/**
 * The certificate's current policy, as GET /certificates/{name}/ shows it: while a version is being made
 * (or its operation failed or was cancelled) the operation's, since a create sets the policy at once on
 * Key Vault; else the head's. Every head is written together with an operation, so a name without an
 * operation has no certificate.
 */
async function readPolicyState(ctx: ServiceContext, name: string): Promise<PolicyState> {
  const { operation, head } = await ctx.certificates.getOperationAndHead(name);
  if (!operation || isDeleted(head?.value)) throw errors.certificateNotFound(name);
  const op = operation.value;
  if (op.status !== 'completed') return { operation, head, current: { name: op.name, policy: certificatePolicyOf(op) } };
  if (!head) throw errors.certificateNotFound(name);
  return { operation, head, current: { name: head.value.name, policy: head.value.policy } };
}

/** GET /certificates/{name}/policy. */
export async function getCertificatePolicy(ctx: ServiceContext, name: string): Promise<NamedPolicy> {
  return (await readPolicyState(ctx, name)).current;
}

/** The same checks a create makes of its policy, so an update cannot store one a create would refuse. */
async function assertUsable(ctx: ServiceContext, policy: CertificatePolicy): Promise<void> {
  try {
    if (policy.subject) assertDistinguishedName(policy.subject);
  } catch (error) {
    throw new ValidationError(`Property x509_props.subject has invalid value: ${(error as Error).message}`);
  }
  await assertIssuerExists(ctx, policy);
}

/**
 * PATCH /certificates/{name}/policy: the members given replace the current ones, the rest are kept (Key
 * Vault's merge semantics), and the result must pass the rules a create's policy passes. Allowed while a
 * create is pending: the operation then carries the new policy for the head to take on completion, while
 * the version it makes keeps the policy its key and CSR were made under. Operation and head are written in
 * one conditional batch, so an update racing a completion (or a create) is never lost: one of them retries.
 */
export async function updateCertificatePolicy(ctx: ServiceContext, name: string, input: PolicyInput): Promise<NamedPolicy> {
  for (let attempt = 1; ; attempt++) {
    const state = await readPolicyState(ctx, name);
    const policy = resolvePolicy(input, unixSeconds(ctx.clock), state.current.policy);
    await assertUsable(ctx, policy);
    // A completed operation is rewritten as it is: only its ETag matters, the head holds the policy.
    const op = state.operation.value;
    const operation = { value: op.status === 'completed' ? op : withCurrentPolicy(op, policy), etag: state.operation.etag };
    const head = state.head && { value: { ...state.head.value, policy }, etag: state.head.etag };
    // The entry for the new policy first (docs/storage-design.md, "Lifetime"); the old one is dropped when due.
    if (head) await scheduleLifetimeOf(ctx, head.value, state.head?.value);
    try {
      await ctx.certificates.replaceOperationAndHead(operation, head);
      return { name: state.current.name, policy };
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw errors.concurrentUpdate();
    }
  }
}
