import { randomBytes, randomUUID } from 'node:crypto';
import { errors } from '../api/errors';
import { sealPrivateKey } from '../crypto/key-encryption';
import type { CertificatePolicy } from '../domain/certificate-policy';
import { isReservedIssuer } from '../domain/certificate-policy';
import { type PendingOperation, blocksNewVersion } from '../domain/pending-operation';
import type { CertificateHead, Stored } from '../storage/repositories';
import type { ServiceContext } from './service-context';

/**
 * "Start a new version": what create and import (and later renewal) share. Each decides how the key comes to
 * be and what state the operation starts in; the version id, the sealed key bound to that version, the
 * attributes and the bookkeeping are made here, once. Restore brings versions back under their own ids, so
 * it shares only the sealing of their keys.
 */

/** The associated data that binds a sealed key to the one certificate version it belongs to. */
export function keyBinding(name: string, version: string): string {
  return `certificate:${name.toLowerCase()}/${version}`;
}

/** A version's private key as stored: sealed under the key-encryption key, bound to that version. */
export function sealVersionKey(ctx: Pick<ServiceContext, 'keyEncryptionKey'>, name: string, version: string, privateKeyPkcs8: Buffer): string {
  return sealPrivateKey(ctx.keyEncryptionKey, privateKeyPkcs8, keyBinding(name, version));
}

function newVersionId(): string {
  return randomBytes(16).toString('hex');
}

/** A policy may only name an issuer object that exists (Self and Unknown always do). */
export async function assertIssuerExists(ctx: ServiceContext, policy: CertificatePolicy): Promise<void> {
  if (!isReservedIssuer(policy.issuer.name) && !(await ctx.issuers.get(policy.issuer.name))) {
    throw errors.badParameter(`The issuer '${policy.issuer.name}' named by the policy does not exist in this vault.`);
  }
}

export interface NewVersionInput {
  name: string;
  policy: CertificatePolicy;
  attributes?: { enabled?: boolean | null } | null;
  tags?: Record<string, string> | null;
  preserveCertOrder?: boolean | null;
  privateKeyPkcs8: Buffer;
  publicKeySpki: Buffer;
  /** Unix seconds. */
  now: number;
}

/** What a create or import body says about the new version itself. */
export function versionAttributesOf(body: Pick<NewVersionInput, 'attributes' | 'tags' | 'preserveCertOrder'>) {
  return { attributes: body.attributes, tags: body.tags, preserveCertOrder: body.preserveCertOrder };
}

/** The fields every new version's operation has; the caller adds its status, CSR and what else is its own. */
export function newVersionFields(ctx: ServiceContext, input: NewVersionInput) {
  const version = newVersionId();
  return {
    name: input.name,
    requestId: randomUUID().replace(/-/g, ''),
    version,
    policy: input.policy,
    enabled: input.attributes?.enabled ?? true,
    tags: input.tags ?? {},
    preserveCertOrder: input.preserveCertOrder ?? false,
    sealedPrivateKey: sealVersionKey(ctx, input.name, version, input.privateKeyPkcs8),
    publicKeySpki: input.publicKeySpki.toString('base64'),
    cancellationRequested: false,
    created: input.now,
    updated: input.now,
    job: { attempts: 0 },
  } satisfies Partial<PendingOperation>;
}

/**
 * A new version may not be started under a soft-deleted name (only recover or purge may touch it), nor
 * while one is being purged; Key Vault's 409s, which tell the caller which of the two it is.
 */
function assertNameUsable(name: string, head: CertificateHead | undefined): void {
  if (head?.deletion?.purging) throw errors.certificateBeingDeleted();
  if (head?.deletion) throw errors.certificateDeletedButRecoverable(name);
}

/**
 * The name's operation, after checking that a new version may be started under it: not deleted, and no
 * create in progress. The operation's ETag is what the new version's write is conditional on.
 */
export async function operationToReplace(ctx: ServiceContext, name: string): Promise<Stored<PendingOperation> | undefined> {
  return (await versionToReplace(ctx, name)).operation;
}

/** As operationToReplace, with the head it was checked against (the latest version a reused key comes from). */
export async function versionToReplace(ctx: ServiceContext, name: string): Promise<{ operation?: Stored<PendingOperation>; head?: CertificateHead }> {
  const { operation, head: storedHead } = await ctx.certificates.getOperationAndHead(name);
  const head = storedHead?.value;
  assertNameUsable(name, head);
  if (blocksNewVersion(operation?.value)) throw errors.createWhileInProgress();
  return { ...(operation ? { operation } : {}), ...(head ? { head } : {}) };
}

/**
 * A concurrent change won the race; say what the caller would see if they had come second. A delete
 * rewrites the operation too (docs/storage-design.md, rule 3), so a create that read the name before it
 * loses here and learns that the name is deleted.
 */
export async function conflictFor(ctx: ServiceContext, name: string) {
  const { operation: current, head: storedHead } = await ctx.certificates.getOperationAndHead(name);
  const head = storedHead?.value;
  if (head?.deletion?.purging) return errors.certificateBeingDeleted();
  if (head?.deletion) return errors.certificateDeletedButRecoverable(name);
  return blocksNewVersion(current?.value) ? errors.createWhileInProgress() : errors.concurrentUpdate();
}
