import { randomBytes, randomUUID } from 'node:crypto';
import { errors } from '../api/errors';
import type { CreateCertificateBody } from '../api/schemas/request-bodies.schema';
import { createCsr } from '../crypto/csr';
import { assertDistinguishedName } from '../crypto/distinguished-name';
import { generateKeyPair } from '../crypto/key-pair';
import { sealPrivateKey } from '../crypto/key-encryption';
import { profileOfPolicy } from '../crypto/profile-of-policy';
import { isReservedIssuer } from '../domain/certificate-policy';
import { unixSeconds } from '../domain/clock';
import {
  type PendingOperation,
  blocksNewVersion,
  isIssuerDriven,
  issuableFromFor,
  secondsUntilIssuable,
  statusDetailsOnCreate,
} from '../domain/pending-operation';
import { resolvePolicy } from '../domain/policy-resolution';
import { ValidationError } from '../domain/validation-error';
import { WriteConflictError } from '../storage/storage-errors';
import type { ServiceContext } from './service-context';

/** The associated data that binds a sealed key to the one certificate version it belongs to. */
export function keyBinding(name: string, version: string): string {
  return `certificate:${name.toLowerCase()}/${version}`;
}

export function newVersionId(): string {
  return randomBytes(16).toString('hex');
}

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
  if (!isReservedIssuer(policy.issuer.name) && !(await ctx.issuers.get(policy.issuer.name))) {
    throw errors.badParameter(`The issuer '${policy.issuer.name}' named by the policy does not exist in this vault.`);
  }

  const existing = await ctx.certificates.getOperation(name);
  if (blocksNewVersion(existing?.value)) throw errors.createWhileInProgress();

  const keyPair = await generateKeyPair(policy.key);
  const csr = await createCsr(keyPair, policy.key, profileOfPolicy(policy));
  const version = newVersionId();
  // Counted from here, after the key generation, so the wait the caller sees after the 202 is not shortened by it.
  const recordedMs = ctx.clock().getTime();
  const issuableFrom = issuableFromFor(recordedMs, ctx.issuanceMinSeconds);
  const op: PendingOperation = {
    name,
    requestId: randomUUID().replace(/-/g, ''),
    version,
    policy,
    enabled: body.attributes?.enabled ?? true,
    tags: body.tags ?? {},
    preserveCertOrder: body.preserveCertOrder ?? false,
    csr: csr.toString('base64'),
    sealedPrivateKey: sealPrivateKey(ctx.keyEncryptionKey, keyPair.privateKeyPkcs8, keyBinding(name, version)),
    publicKeySpki: keyPair.publicKeySpki.toString('base64'),
    cancellationRequested: false,
    status: 'inProgress',
    statusDetails: statusDetailsOnCreate(policy.issuer.name),
    deleted: false,
    created: now,
    updated: now,
    ...(issuableFrom !== undefined ? { issuableFrom } : {}),
    job: { attempts: 0 },
  };

  const job = { name, requestId: op.requestId };
  const due = { ...job, dueAt: now + ctx.jobRedriveAfterSeconds };
  // The due entry goes first: if we crash after the operation write, the sweep still finds the operation.
  if (isIssuerDriven(op)) await ctx.dueIndex.schedule(due);
  try {
    await ctx.certificates.putOperation(op, existing?.etag);
  } catch (error) {
    if (isIssuerDriven(op)) await ctx.dueIndex.remove(due);
    if (error instanceof WriteConflictError) throw await conflictFor(ctx, name);
    throw error;
  }
  // With a minimum issuance time the first run waits for it on the queue instead of waking only to wait.
  if (isIssuerDriven(op)) await ctx.jobs.enqueue(job, { delaySeconds: secondsUntilIssuable(op, ctx.clock().getTime()) });
  return op;
}

/** A concurrent create (or import) won the race; say what the caller would see if they had come second. */
export async function conflictFor(ctx: ServiceContext, name: string) {
  const current = await ctx.certificates.getOperation(name);
  return blocksNewVersion(current?.value) ? errors.createWhileInProgress() : errors.concurrentUpdate();
}
