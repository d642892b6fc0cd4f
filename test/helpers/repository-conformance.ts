import { resolvePolicy } from '../../shared/domain/policy-resolution';
import { operationFixture } from './operation-fixture';
import type { CertificateVersion } from '../../shared/domain/certificate-version';
import { withoutKey } from '../../shared/domain/certificate-version';
import type { IssuerObject } from '../../shared/domain/issuer';
import { type PendingOperation, completed } from '../../shared/domain/pending-operation';
import type {
  CertificateHead,
  CertificateRepository,
  ContactsRepository,
  DueIndex,
  IssuerJob,
  IssuerRepository,
  JobQueue,
  PurgeSchedule,
  ReconcileSchedule,
  VersionSummary,
} from '../../shared/storage/repositories';
import { WriteConflictError } from '../../shared/storage/storage-errors';

/** One implementation of every repository, fresh and empty, plus the reading end of its job queue. */
export interface RepositoriesUnderTest {
  certificates: CertificateRepository;
  issuers: IssuerRepository;
  contacts: ContactsRepository;
  dueIndex: DueIndex;
  purgeSchedule: PurgeSchedule;
  reconcileSchedule: ReconcileSchedule;
  jobs: JobQueue;
  /** Receives the jobs visible now and removes them, as the queue trigger does. */
  takeJobs(): Promise<IssuerJob[]>;
}

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
const policy = resolvePolicy({ x509_props: { subject: 'CN=conformance' } }, NOW);
let counter = 0;

/** A 32-hex version id, distinct per call and increasing, so list order is predictable. */
function versionId(): string {
  counter += 1;
  return counter.toString(16).padStart(32, '0');
}

function operation(name: string, overrides: Partial<PendingOperation> = {}): PendingOperation {
  return operationFixture({ name, requestId: `req${versionId()}`, version: versionId(), policy, created: NOW, tags: { purpose: 'conformance' }, ...overrides });
}

function versionOf(op: PendingOperation, overrides: Partial<CertificateVersion> = {}): CertificateVersion {
  return {
    name: op.name,
    version: op.version,
    enabled: op.enabled,
    notBefore: NOW,
    expires: NOW + 86_400,
    created: NOW,
    updated: NOW,
    tags: op.tags,
    chain: ['bGVhZg', 'aXNzdWVy'],
    x5t: 'eDV0',
    keySpec: op.policy.key,
    exportable: op.policy.key.exportable,
    sealedPrivateKey: op.sealedPrivateKey,
    publicKeySpki: op.publicKeySpki,
    secretContentType: op.policy.secretContentType,
    policy: op.policy,
    preserveCertOrder: false,
    ...overrides,
  };
}

/** What a list shows of a version: everything but its chain and key. */
function summaryOf(version: CertificateVersion): VersionSummary {
  const { chain: _chain, sealedPrivateKey: _key, ...summary } = version;
  return summary;
}

function headOf(version: CertificateVersion): CertificateHead {
  return { name: version.name, policy: version.policy, latestVersion: version.version, latest: withoutKey(version) };
}

/** Issues a version for `name` the way the services do: create the operation, then complete it. */
async function issue(repos: RepositoriesUnderTest, name: string): Promise<CertificateVersion> {
  const existing = await repos.certificates.getOperation(name);
  const op = operation(name);
  const etag = await repos.certificates.putOperation(op, existing?.etag);
  const version = versionOf(op);
  await repos.certificates.completeOperation(completed(op, NOW), etag, version, headOf(version));
  return version;
}

/**
 * The storage contract the services rely on, run against every implementation (in memory and Azure
 * Table/Queue on Azurite), so a service test on the in-memory one means the same thing on Azure.
 */
export function describeRepositoryConformance(name: string, factory: () => Promise<RepositoriesUnderTest>): void {
  describe(`repository conformance: ${name}`, () => {
    let repos: RepositoriesUnderTest;
    beforeEach(async () => {
      repos = await factory();
    });

    describe('certificates', () => {
      it('knows nothing of a name never written', async () => {
        expect(await repos.certificates.getOperation('absent')).toBeUndefined();
        expect(await repos.certificates.getHead('absent')).toBeUndefined();
        expect(await repos.certificates.getVersion('absent', versionId())).toBeUndefined();
        expect(await repos.certificates.listVersions('absent', 25)).toEqual({ versions: [] });
        expect(await repos.certificates.getOperationAndHead('absent')).toEqual({});
      });

      it('creates an operation and reads it back under any casing of its name, with the ETag it returned', async () => {
        const op = operation('Web-Site');
        const etag = await repos.certificates.putOperation(op, undefined);
        expect(etag).not.toBe('');
        expect(await repos.certificates.getOperation('web-SITE')).toEqual({ value: op, etag });
      });

      it('refuses to create an operation where one exists, and keeps the first', async () => {
        const first = operation('race');
        await repos.certificates.putOperation(first, undefined);
        await expect(repos.certificates.putOperation(operation('RACE'), undefined)).rejects.toBeInstanceOf(WriteConflictError);
        expect((await repos.certificates.getOperation('race'))?.value).toEqual(first);
      });

      it('replaces an operation only at the ETag it was read at', async () => {
        const op = operation('replace');
        const first = await repos.certificates.putOperation(op, undefined);
        const cancelling = { ...op, cancellationRequested: true };
        const second = await repos.certificates.putOperation(cancelling, first);
        expect(second).not.toBe(first);
        await expect(repos.certificates.putOperation({ ...op, status: 'failed' }, first)).rejects.toBeInstanceOf(WriteConflictError);
        expect(await repos.certificates.getOperation('replace')).toEqual({ value: cancelling, etag: second });
      });

      it('treats a replace of an operation that does not exist as a lost race', async () => {
        const etag = await repos.certificates.putOperation(operation('exists'), undefined);
        await expect(repos.certificates.putOperation(operation('never-created'), etag)).rejects.toBeInstanceOf(WriteConflictError);
        expect(await repos.certificates.getOperation('never-created')).toBeUndefined();
      });

      it('completes an operation with its version and head together', async () => {
        const op = operation('Complete');
        const etag = await repos.certificates.putOperation(op, undefined);
        const version = versionOf(op);
        const done = completed(op, NOW + 5);
        await repos.certificates.completeOperation(done, etag, version, headOf(version));

        const stored = await repos.certificates.getOperation('complete');
        expect(stored?.value).toEqual(done);
        expect(stored?.etag).not.toBe(etag);
        expect(await repos.certificates.getVersion('COMPLETE', version.version.toUpperCase())).toEqual(version);
        expect(await repos.certificates.getHead('complete')).toEqual(headOf(version));
        await expect(repos.certificates.putOperation(op, etag)).rejects.toBeInstanceOf(WriteConflictError);
      });

      it('writes nothing of a completion whose operation ETag is stale', async () => {
        const op = operation('stale');
        const etag = await repos.certificates.putOperation(op, undefined);
        const moved = { ...op, cancellationRequested: true };
        await repos.certificates.putOperation(moved, etag);
        const version = versionOf(op);
        await expect(repos.certificates.completeOperation(completed(op, NOW), etag, version, headOf(version))).rejects.toBeInstanceOf(
          WriteConflictError,
        );
        expect((await repos.certificates.getOperation('stale'))?.value).toEqual(moved);
        expect(await repos.certificates.getVersion('stale', version.version)).toBeUndefined();
        expect(await repos.certificates.getHead('stale')).toBeUndefined();
      });

      it('completes without an ETag by creating the operation, as an import of a new name does', async () => {
        const op = completed(operation('Imported'), NOW);
        const version = versionOf(op);
        await repos.certificates.completeOperation(op, undefined, version, headOf(version));
        expect((await repos.certificates.getOperation('imported'))?.value).toEqual(op);
        expect(await repos.certificates.getVersion('imported', version.version)).toEqual(version);
        expect(await repos.certificates.getHead('IMPORTED')).toEqual(headOf(version));
      });

      it('writes nothing of a completion without an ETag when an operation exists (a create came first)', async () => {
        const created = operation('raced');
        await repos.certificates.putOperation(created, undefined);
        const version = versionOf(operation('raced'));
        await expect(repos.certificates.completeOperation(completed(created, NOW), undefined, version, headOf(version))).rejects.toBeInstanceOf(
          WriteConflictError,
        );
        expect((await repos.certificates.getOperation('raced'))?.value).toEqual(created);
        expect(await repos.certificates.getVersion('raced', version.version)).toBeUndefined();
        expect(await repos.certificates.getHead('raced')).toBeUndefined();
      });

      it('refuses a completion that spans two certificates, writing nothing', async () => {
        const op = operation('one');
        const etag = await repos.certificates.putOperation(op, undefined);
        const version = versionOf(op, { name: 'other' });
        await expect(repos.certificates.completeOperation(completed(op, NOW), etag, version, headOf(version))).rejects.toThrow();
        expect((await repos.certificates.getOperation('one'))?.value).toEqual(op);
        expect(await repos.certificates.listVersions('other', 25)).toEqual({ versions: [] });
        expect(await repos.certificates.getHead('other')).toBeUndefined();
      });

      it("lists every version of one certificate, in version-id order, and nothing of another's", async () => {
        const first = await issue(repos, 'listed');
        const second = await issue(repos, 'Listed');
        await issue(repos, 'listed-too');
        await repos.certificates.putOperation(operation('listed'), (await repos.certificates.getOperation('listed'))?.etag);
        expect(await repos.certificates.listVersions('LISTED', 25)).toEqual({ versions: [summaryOf(first), summaryOf(second)] });
        expect((await repos.certificates.getHead('listed'))?.latestVersion).toBe(second.version);
      });

      it("pages a certificate's versions: `limit` at a time after the last id, a continuation only while more follow", async () => {
        const issued: CertificateVersion[] = [];
        for (let i = 0; i < 5; i++) issued.push(await issue(repos, 'paged'));
        await issue(repos, 'paged-not');
        const ids = issued.map((v) => v.version);
        const pages = [];
        let after: string | undefined;
        do {
          const page = await repos.certificates.listVersions('Paged', 2, after);
          pages.push(page.versions.map((v) => v.version));
          after = page.continueAfter;
        } while (after !== undefined);
        expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
        // A full last page ends the list: no continuation to an empty page.
        expect(await repos.certificates.listVersions('paged', 5)).toEqual({ versions: issued.map(summaryOf) });
        expect(await repos.certificates.listVersions('paged', 4, ids[0])).toEqual({ versions: issued.slice(1).map(summaryOf) });
        expect(await repos.certificates.listVersions('paged', 1, ids[1])).toEqual({ versions: [summaryOf(issued[2] as CertificateVersion)], continueAfter: ids[2] });
      });

      it('keeps optional properties optional: a version without a key, a head without the latest copy', async () => {
        const op = operation('bare');
        const etag = await repos.certificates.putOperation(op, undefined);
        const { sealedPrivateKey: _key, ...keyless } = versionOf(op);
        const head = { name: 'bare', policy, latestVersion: op.version };
        await repos.certificates.completeOperation(completed(op, NOW), etag, keyless, head);
        const version = await repos.certificates.getVersion('bare', op.version);
        expect(version).toEqual(keyless);
        expect(version).not.toHaveProperty('sealedPrivateKey');
        expect(await repos.certificates.getHead('bare')).toEqual(head);
      });

      it('reads operation and head together, each with the ETag it has alone, whichever of them exist', async () => {
        expect(await repos.certificates.getOperationAndHead('nothing-here')).toEqual({});
        const op = operation('Together');
        await repos.certificates.putOperation(op, undefined);
        expect(await repos.certificates.getOperationAndHead('TOGETHER')).toEqual({ operation: await repos.certificates.getOperation('together') });

        // Issued twice: a head, a completed operation, and version rows beside them that the read leaves out.
        await issue(repos, 'Together');
        await issue(repos, 'Together');
        const both = await repos.certificates.getOperationAndHead('together');
        expect(both).toEqual({ operation: await repos.certificates.getOperation('together'), head: await repos.certificates.getStoredHead('together') });
        expect(both.head?.value.latest).toBeDefined();
      });

      it('replaces operation and head together, each only at the ETag it was read at', async () => {
        await issue(repos, 'Policy');
        const op = await repos.certificates.getOperation('policy');
        const head = await repos.certificates.getStoredHead('POLICY');
        if (!op || !head) throw new Error('the certificate was not issued');
        const changed = resolvePolicy({ x509_props: { subject: 'CN=changed' } }, NOW + 1, policy);
        const newOp = { ...op.value, currentPolicy: changed };
        const newHead = { ...head.value, policy: changed };

        // A stale head ETag (here: the head a later completion wrote) writes nothing, not even the operation.
        await expect(repos.certificates.replaceOperationAndHead(op, { value: newHead, etag: 'W/"stale"' })).rejects.toBeInstanceOf(WriteConflictError);
        expect(await repos.certificates.getOperation('policy')).toEqual(op);
        expect(await repos.certificates.getStoredHead('policy')).toEqual(head);

        await repos.certificates.replaceOperationAndHead({ value: newOp, etag: op.etag }, { value: newHead, etag: head.etag });
        const storedOp = await repos.certificates.getOperation('policy');
        const storedHead = await repos.certificates.getStoredHead('policy');
        expect(storedOp?.value).toEqual(newOp);
        expect(storedHead?.value).toEqual(newHead);
        expect(storedOp?.etag).not.toBe(op.etag);
        expect(storedHead?.etag).not.toBe(head.etag);
        // Both ETags moved on: a second write from the same read loses.
        await expect(repos.certificates.replaceOperationAndHead(op, head)).rejects.toBeInstanceOf(WriteConflictError);
        await expect(repos.certificates.replaceOperationAndHead({ value: op.value, etag: storedOp?.etag ?? '' }, head)).rejects.toBeInstanceOf(
          WriteConflictError,
        );
        expect((await repos.certificates.getStoredHead('policy'))?.value).toEqual(newHead);
      });

      it('lets exactly one of a policy change and a completion that read the same operation win, either way round', async () => {
        for (const first of ['completion', 'change'] as const) {
          const name = `race-${first}`;
          const op = operation(name);
          const etag = await repos.certificates.putOperation(op, undefined);
          const read = { value: op, etag };
          const version = versionOf(op);
          const changed = resolvePolicy({ x509_props: { subject: 'CN=changed' } }, NOW + 1, policy);
          const complete = () => repos.certificates.completeOperation(completed(op, NOW + 2), etag, version, headOf(version));
          const change = () => repos.certificates.replaceOperationAndHead({ value: { ...op, currentPolicy: changed }, etag: read.etag }, undefined);

          if (first === 'completion') {
            await complete();
            await expect(change()).rejects.toBeInstanceOf(WriteConflictError);
            expect((await repos.certificates.getOperation(name))?.value).toEqual(completed(op, NOW + 2));
          } else {
            await change();
            await expect(complete()).rejects.toBeInstanceOf(WriteConflictError);
            expect((await repos.certificates.getOperation(name))?.value.currentPolicy).toEqual(changed);
            expect(await repos.certificates.getHead(name)).toBeUndefined();
          }
        }
      });

      it('replaces a version with the operation and head, each only at the ETag it was read at', async () => {
        const issued = await issue(repos, 'Attrs');
        const version = await repos.certificates.getStoredVersion('ATTRS', issued.version.toUpperCase());
        const op = await repos.certificates.getOperation('attrs');
        const head = await repos.certificates.getStoredHead('attrs');
        if (!version || !op || !head) throw new Error('the certificate was not issued');
        expect(version.value).toEqual(issued);
        const changed = { ...version.value, enabled: false, tags: { changed: 'yes' }, updated: NOW + 5 };
        const newHead = { ...head.value, latest: withoutKey(changed) };
        const stale = 'W/"stale"';

        // Any one stale ETag writes nothing at all.
        for (const attempt of [
          () => repos.certificates.replaceVersion({ value: changed, etag: stale }, op, { value: newHead, etag: head.etag }),
          () => repos.certificates.replaceVersion({ value: changed, etag: version.etag }, { ...op, etag: stale }, { value: newHead, etag: head.etag }),
          () => repos.certificates.replaceVersion({ value: changed, etag: version.etag }, op, { value: newHead, etag: stale }),
        ]) {
          await expect(attempt()).rejects.toBeInstanceOf(WriteConflictError);
          expect(await repos.certificates.getStoredVersion('attrs', issued.version)).toEqual(version);
          expect(await repos.certificates.getOperation('attrs')).toEqual(op);
          expect(await repos.certificates.getStoredHead('attrs')).toEqual(head);
        }

        await repos.certificates.replaceVersion({ value: changed, etag: version.etag }, op, { value: newHead, etag: head.etag });
        const stored = await repos.certificates.getStoredVersion('attrs', issued.version);
        expect(stored?.value).toEqual(changed);
        expect(stored?.etag).not.toBe(version.etag);
        expect((await repos.certificates.getStoredHead('attrs'))?.value).toEqual(newHead);
        expect((await repos.certificates.getOperation('attrs'))?.etag).not.toBe(op.etag);
        // A second write from the same read loses.
        await expect(repos.certificates.replaceVersion({ value: changed, etag: version.etag }, op, { value: newHead, etag: head.etag })).rejects.toBeInstanceOf(
          WriteConflictError,
        );
      });

      it('lets exactly one of an attribute change of the latest version and a completion of the next win, either way round', async () => {
        for (const first of ['completion', 'change'] as const) {
          const name = `attr-race-${first}`;
          const issued = await issue(repos, name);
          const previous = await repos.certificates.getOperation(name);
          const next = operation(name);
          const etag = await repos.certificates.putOperation(next, previous?.etag);
          // Both read the same state: the operation for the next version, the head still at the first.
          const [version, op, head] = await Promise.all([
            repos.certificates.getStoredVersion(name, issued.version),
            repos.certificates.getOperation(name),
            repos.certificates.getStoredHead(name),
          ]);
          if (!version || !op || !head) throw new Error('the certificate was not issued');
          const disabled = { ...version.value, enabled: false };
          const change = () =>
            repos.certificates.replaceVersion({ value: disabled, etag: version.etag }, op, { value: { ...head.value, latest: withoutKey(disabled) }, etag: head.etag });
          const nextVersion = versionOf(next);
          const complete = () => repos.certificates.completeOperation(completed(next, NOW + 2), etag, nextVersion, headOf(nextVersion));

          if (first === 'completion') {
            await complete();
            await expect(change()).rejects.toBeInstanceOf(WriteConflictError);
            expect((await repos.certificates.getVersion(name, issued.version))?.enabled).toBe(true);
          } else {
            await change();
            await expect(complete()).rejects.toBeInstanceOf(WriteConflictError);
            expect((await repos.certificates.getVersion(name, issued.version))?.enabled).toBe(false);
          }
          // Either way the head describes the version it names.
          const finalHead = await repos.certificates.getHead(name);
          expect(finalHead?.latest).toEqual(withoutKey((await repos.certificates.getVersion(name, finalHead?.latestVersion ?? '')) as CertificateVersion));
        }
      });

      it('treats a change of an operation or head that is gone as a lost race', async () => {
        const op = operation('never-written');
        await expect(repos.certificates.replaceOperationAndHead({ value: op, etag: 'W/"any"' }, undefined)).rejects.toBeInstanceOf(WriteConflictError);
        expect(await repos.certificates.getOperation('never-written')).toBeUndefined();
        const pending = operation('no-head');
        const etag = await repos.certificates.putOperation(pending, undefined);
        const head = { name: 'no-head', policy, latestVersion: pending.version };
        await expect(
          repos.certificates.replaceOperationAndHead({ value: { ...pending, tags: {} }, etag }, { value: head, etag: 'W/"any"' }),
        ).rejects.toBeInstanceOf(WriteConflictError);
        expect(await repos.certificates.getHead('no-head')).toBeUndefined();
        expect(await repos.certificates.getOperation('no-head')).toEqual({ value: pending, etag });
      });

      it("reads a whole certificate: head, operation and every version with key and chain, in id order, and nothing of another's", async () => {
        const issued = [await issue(repos, 'Whole'), await issue(repos, 'whole'), await issue(repos, 'WHOLE')];
        await issue(repos, 'whole-too');
        const latest = issued[2] as CertificateVersion;
        expect(await repos.certificates.readWhole('whole', 500)).toEqual({
          head: headOf(latest),
          operation: (await repos.certificates.getOperation('whole'))?.value,
          versions: issued,
          moreVersions: false,
        });
        const capped = await repos.certificates.readWhole('WHOLE', 2);
        expect({ versions: capped.versions, moreVersions: capped.moreVersions }).toEqual({ versions: issued.slice(0, 2), moreVersions: true });
        expect(await repos.certificates.readWhole('absent', 500)).toEqual({ versions: [], moreVersions: false });
      });

      it('restores a whole certificate into a name with nothing in it, more versions than one transaction holds', async () => {
        const ops = Array.from({ length: 150 }, () => operation('Restored'));
        const versions = ops.map((op) => versionOf(op));
        const latest = versions[149] as CertificateVersion;
        const restoredOp = { ...completed(ops[149] as PendingOperation, NOW), deleted: true };
        await repos.certificates.restore({ head: headOf(latest), operation: restoredOp, versions });

        expect(await repos.certificates.getHead('restored')).toEqual(headOf(latest));
        expect((await repos.certificates.getOperation('RESTORED'))?.value).toEqual(restoredOp);
        expect(await repos.certificates.getVersion('restored', (versions[0] as CertificateVersion).version)).toEqual(versions[0]);
        expect(await repos.certificates.readWhole('restored', 500)).toMatchObject({ versions, moreVersions: false });
        // The restored certificate takes part in the usual conditional writes: its operation can be replaced at its ETag.
        const stored = await repos.certificates.getOperation('restored');
        await repos.certificates.putOperation(operation('restored'), stored?.etag);
      });

      it('refuses a restore into a name with a head or an operation, writing nothing', async () => {
        const live = await issue(repos, 'taken');
        const liveOp = await repos.certificates.getOperation('taken');
        const clash = { ...live, tags: { restored: 'over a live version' } };
        const extra = versionOf(operation('taken'));
        await expect(
          repos.certificates.restore({ head: headOf(clash), operation: completed(operation('taken'), NOW), versions: [clash, extra] }),
        ).rejects.toBeInstanceOf(WriteConflictError);
        expect(await repos.certificates.readWhole('taken', 500)).toEqual({ head: headOf(live), operation: liveOp?.value, versions: [live], moreVersions: false });

        const pending = operation('requested');
        await repos.certificates.putOperation(pending, undefined);
        const restoring = versionOf(operation('requested'));
        await expect(
          repos.certificates.restore({ head: headOf(restoring), operation: completed(operation('requested'), NOW), versions: [restoring] }),
        ).rejects.toBeInstanceOf(WriteConflictError);
        expect(await repos.certificates.readWhole('requested', 500)).toEqual({ operation: pending, versions: [], moreVersions: false });
      });

      it('refuses a restore that spans two certificates, writing nothing', async () => {
        const op = operation('mine');
        const version = versionOf(op);
        const foreign = versionOf(operation('theirs'));
        await expect(repos.certificates.restore({ head: headOf(version), operation: completed(op, NOW), versions: [version, foreign] })).rejects.toThrow();
        expect(await repos.certificates.readWhole('mine', 500)).toEqual({ versions: [], moreVersions: false });
        expect(await repos.certificates.readWhole('theirs', 500)).toEqual({ versions: [], moreVersions: false });
      });

      it('writes a soft delete as one batch: operation If-Match, head replaced If-Match or inserted', async () => {
        const version = await issue(repos, 'Deleted');
        const op = await repos.certificates.getOperation('deleted');
        const head = await repos.certificates.getStoredHead('deleted');
        if (!op || !head) throw new Error('the certificate was not issued');
        const deletion = { deletedDate: NOW, scheduledPurgeDate: NOW + 7 * 86_400 };
        const deletedHead = { ...head.value, deletion };
        const hiddenOp = { value: { ...op.value, deleted: true }, etag: op.etag };

        // A stale head, or a head "inserted" over one that exists, writes nothing.
        await expect(repos.certificates.replaceOperationAndWriteHead(hiddenOp, deletedHead, 'W/"stale"')).rejects.toBeInstanceOf(WriteConflictError);
        await expect(repos.certificates.replaceOperationAndWriteHead(hiddenOp, deletedHead, undefined)).rejects.toBeInstanceOf(WriteConflictError);
        await expect(repos.certificates.replaceOperationAndWriteHead({ ...hiddenOp, etag: 'W/"stale"' }, deletedHead, head.etag)).rejects.toBeInstanceOf(
          WriteConflictError,
        );
        expect(await repos.certificates.getOperation('deleted')).toEqual(op);
        expect(await repos.certificates.getStoredHead('deleted')).toEqual(head);

        await repos.certificates.replaceOperationAndWriteHead(hiddenOp, deletedHead, head.etag);
        expect((await repos.certificates.getHead('DELETED'))?.deletion).toEqual(deletion);
        expect((await repos.certificates.getOperation('deleted'))?.value.deleted).toBe(true);
        // The versions stay where they are.
        expect((await repos.certificates.getVersion('deleted', version.version))?.version).toBe(version.version);

        // A certificate with no head yet (its first version still requested) gets one inserted.
        const pending = operation('first-pending');
        const etag = await repos.certificates.putOperation(pending, undefined);
        const inserted = { name: 'first-pending', policy, latestVersion: pending.version, deletion };
        await repos.certificates.replaceOperationAndWriteHead({ value: { ...pending, deleted: true }, etag }, inserted, undefined);
        expect(await repos.certificates.getHead('first-pending')).toEqual(inserted);
      });

      it('removes versions in batches of at most 100, all or nothing, then the head and the operation', async () => {
        const first = await issue(repos, 'Purged');
        const second = await issue(repos, 'purged');
        await issue(repos, 'neighbour');
        await expect(repos.certificates.deleteVersions('purged', Array.from({ length: 101 }, (_, i) => String(i)))).rejects.toThrow(/100/);
        // One version already gone removes none.
        await expect(repos.certificates.deleteVersions('purged', [first.version, 'f'.repeat(32)])).rejects.toBeInstanceOf(WriteConflictError);
        expect((await repos.certificates.listVersions('purged', 10)).versions).toHaveLength(2);

        await repos.certificates.deleteVersions('PURGED', [first.version, second.version]);
        expect(await repos.certificates.listVersions('purged', 10)).toEqual({ versions: [] });
        const head = await repos.certificates.getHead('purged');
        const op = await repos.certificates.getOperation('purged');
        if (!head || !op) throw new Error('head and operation stay until the last step');
        await repos.certificates.deleteHeadAndOperation(head, op.value);
        expect(await repos.certificates.getHead('purged')).toBeUndefined();
        expect(await repos.certificates.getOperation('purged')).toBeUndefined();
        // Rows already gone fail the removal; the neighbour is untouched.
        await expect(repos.certificates.deleteHeadAndOperation(head, op.value)).rejects.toBeInstanceOf(WriteConflictError);
        expect(await repos.certificates.getHead('neighbour')).toBeDefined();
        expect((await repos.certificates.listVersions('neighbour', 10)).versions).toHaveLength(1);
      });

      it('hands out copies: changing what was read or written does not change what is stored', async () => {
        const op = operation('copies');
        await repos.certificates.putOperation(op, undefined);
        op.tags.changed = 'after write';
        const read = await repos.certificates.getOperation('copies');
        if (!read) throw new Error('the operation was not stored');
        read.value.tags.changed = 'after read';
        expect((await repos.certificates.getOperation('copies'))?.value.tags).toEqual({ purpose: 'conformance' });
      });
    });

    describe('issuers', () => {
      const issuer = (name: string, provider = 'Test'): IssuerObject => ({
        name,
        provider,
        adminContacts: [{ email: 'admin@example.com' }],
        enabled: true,
        created: NOW,
        updated: NOW,
      });

      it('reads an issuer back under any casing of its name, and replaces it on put', async () => {
        expect(await repos.issuers.get('my-ca')).toBeUndefined();
        await repos.issuers.put(issuer('My-CA'));
        expect(await repos.issuers.get('my-ca')).toEqual(issuer('My-CA'));
        await repos.issuers.put(issuer('my-ca', 'OneCertV2-PrivateCA'));
        expect(await repos.issuers.get('MY-CA')).toEqual(issuer('my-ca', 'OneCertV2-PrivateCA'));
      });

      it('replaces only an issuer that exists, under any casing of its name', async () => {
        expect(await repos.issuers.replace(issuer('never-set'))).toBe(false);
        expect(await repos.issuers.get('never-set')).toBeUndefined();
        await repos.issuers.put(issuer('Replaced'));
        expect(await repos.issuers.replace({ ...issuer('REPLACED', 'GlobalSign'), enabled: false })).toBe(true);
        expect(await repos.issuers.get('replaced')).toEqual({ ...issuer('REPLACED', 'GlobalSign'), enabled: false });
      });

      it('deletes an issuer, answering it as it was, and then knows nothing of it', async () => {
        await repos.issuers.put({ ...issuer('Gone'), accountId: 'acct', sealedPassword: 'c2VhbGVk' });
        expect(await repos.issuers.delete('GONE')).toEqual({ ...issuer('Gone'), accountId: 'acct', sealedPassword: 'c2VhbGVk' });
        expect(await repos.issuers.get('gone')).toBeUndefined();
        expect(await repos.issuers.delete('gone')).toBeUndefined();
        expect(await repos.issuers.replace(issuer('gone'))).toBe(false);
      });

      it('lists issuers in lower-cased name order, a page at a time, each exactly once', async () => {
        expect(await repos.issuers.list(5)).toEqual({ issuers: [] });
        const names = ['b-ca', 'A-CA', 'c-ca', 'a-ca-2', 'Z9', '0-first'];
        for (const name of names) await repos.issuers.put(issuer(name));
        const first = await repos.issuers.list(4);
        expect(first.issuers.map((i) => i.name)).toEqual(['0-first', 'A-CA', 'a-ca-2', 'b-ca']);
        expect(first.continueAfter).toBe('b-ca');
        const second = await repos.issuers.list(4, first.continueAfter);
        expect(second).toEqual({ issuers: [issuer('c-ca'), issuer('Z9')] });
        // A full last page says there is nothing more, rather than leading to an empty page.
        expect(await repos.issuers.list(2, 'b-ca')).toEqual({ issuers: [issuer('c-ca'), issuer('Z9')] });
        expect(await repos.issuers.list(25, 'z9')).toEqual({ issuers: [] });
      });
    });

    describe('contacts', () => {
      const ops = { email: 'ops@contoso.com', name: 'Ops', phone: '+1 555 0100' };
      const security = { email: 'security@contoso.com' };

      it('has none until they are set, then reads back the list as written', async () => {
        expect(await repos.contacts.get()).toBeUndefined();
        await repos.contacts.put([ops, security]);
        const read = await repos.contacts.get();
        expect(read).toEqual([ops, security]);
        expect(read?.[1]).not.toHaveProperty('name');
      });

      it('replaces the whole list on put', async () => {
        await repos.contacts.put([ops, security]);
        await repos.contacts.put([security]);
        expect(await repos.contacts.get()).toEqual([security]);
      });

      it('removes the list and returns what it removed, once', async () => {
        expect(await repos.contacts.remove()).toBeUndefined();
        await repos.contacts.put([ops]);
        expect(await repos.contacts.remove()).toEqual([ops]);
        expect(await repos.contacts.get()).toBeUndefined();
        expect(await repos.contacts.remove()).toBeUndefined();
      });

      it('gives the list to exactly one of two concurrent removals', async () => {
        await repos.contacts.put([ops]);
        const results = await Promise.all([repos.contacts.remove(), repos.contacts.remove()]);
        expect(results.filter((r) => r !== undefined)).toEqual([[ops]]);
      });

      it('hands out copies: changing what was read or written does not change what is stored', async () => {
        const written = { ...ops };
        await repos.contacts.put([written]);
        written.email = 'changed@after.write';
        const [read] = (await repos.contacts.get()) ?? [];
        if (!read) throw new Error('the contacts were not stored');
        read.email = 'changed@after.read';
        expect(await repos.contacts.get()).toEqual([ops]);
      });
    });

    describe('due index', () => {
      it('answers only what is due, earliest minute first, at most the limit', async () => {
        const at = (name: string, dueAt: number) => ({ name, requestId: `r-${name}`, dueAt });
        await repos.dueIndex.schedule(at('later', NOW + 600));
        await repos.dueIndex.schedule(at('b-now', NOW));
        await repos.dueIndex.schedule(at('a-before', NOW - 120));
        await repos.dueIndex.schedule(at('just-after', NOW + 1));
        expect(await repos.dueIndex.due(NOW, 10)).toEqual([at('a-before', NOW - 120), at('b-now', NOW)]);
        expect(await repos.dueIndex.due(NOW, 1)).toEqual([at('a-before', NOW - 120)]);
        expect(await repos.dueIndex.due(NOW + 600, 10)).toHaveLength(4);
      });

      it('keeps one entry per (name, request, time): rescheduling adds, removing is idempotent', async () => {
        const entry = { name: 'Sweep', requestId: 'r1', dueAt: NOW };
        await repos.dueIndex.schedule(entry);
        await repos.dueIndex.schedule(entry);
        await repos.dueIndex.schedule({ ...entry, dueAt: NOW + 10 });
        expect(await repos.dueIndex.due(NOW + 10, 10)).toEqual([entry, { ...entry, dueAt: NOW + 10 }]);
        await repos.dueIndex.remove(entry);
        await repos.dueIndex.remove(entry);
        expect(await repos.dueIndex.due(NOW + 10, 10)).toEqual([{ ...entry, dueAt: NOW + 10 }]);
      });
    });

    describe('purge schedule', () => {
      it('answers only what is due, earliest first, at most the limit, and never the status sweep\'s entries', async () => {
        const at = (name: string, scheduledPurgeDate: number) => ({ name, scheduledPurgeDate });
        await repos.purgeSchedule.schedule(at('Later', NOW + 600));
        await repos.purgeSchedule.schedule(at('b-now', NOW));
        await repos.purgeSchedule.schedule(at('a-now', NOW));
        await repos.purgeSchedule.schedule(at('long-ago', NOW - 90 * 86_400));
        await repos.purgeSchedule.schedule(at('same-minute-later', NOW + 1));
        await repos.dueIndex.schedule({ name: 'operation', requestId: 'r1', dueAt: NOW - 10 });
        expect(await repos.purgeSchedule.due(NOW, 10)).toEqual([at('long-ago', NOW - 90 * 86_400), at('a-now', NOW), at('b-now', NOW)]);
        expect(await repos.purgeSchedule.due(NOW, 2)).toEqual([at('long-ago', NOW - 90 * 86_400), at('a-now', NOW)]);
        expect(await repos.purgeSchedule.due(NOW + 600, 10)).toHaveLength(5);
        expect(await repos.dueIndex.due(NOW + 600, 10)).toEqual([{ name: 'operation', requestId: 'r1', dueAt: NOW - 10 }]);
      });

      it('keeps one entry per (name, date): scheduling twice keeps one, another date adds, removing is idempotent', async () => {
        const entry = { name: 'Cycle', scheduledPurgeDate: NOW };
        await repos.purgeSchedule.schedule(entry);
        await repos.purgeSchedule.schedule(entry);
        await repos.purgeSchedule.schedule({ ...entry, scheduledPurgeDate: NOW + 5 });
        expect(await repos.purgeSchedule.due(NOW + 5, 10)).toEqual([entry, { ...entry, scheduledPurgeDate: NOW + 5 }]);
        await repos.purgeSchedule.remove({ name: 'cycle', scheduledPurgeDate: NOW });
        await repos.purgeSchedule.remove(entry);
        expect(await repos.purgeSchedule.due(NOW + 5, 10)).toEqual([{ ...entry, scheduledPurgeDate: NOW + 5 }]);
      });
    });

    describe('reconcile schedule', () => {
      it("answers only what is due, earliest first, at most the limit, and never the sweep's or the purge's entries", async () => {
        const at = (name: string, dueAt: number, changeId = 'c1') => ({ name, dueAt, changeId });
        await repos.reconcileSchedule.schedule(at('Later', NOW + 600));
        await repos.reconcileSchedule.schedule(at('b-now', NOW));
        await repos.reconcileSchedule.schedule(at('a-now', NOW));
        await repos.reconcileSchedule.schedule(at('long-ago', NOW - 86_400));
        await repos.reconcileSchedule.schedule(at('same-minute-later', NOW + 1));
        await repos.dueIndex.schedule({ name: 'operation', requestId: 'r1', dueAt: NOW - 10 });
        await repos.purgeSchedule.schedule({ name: 'deleted', scheduledPurgeDate: NOW - 10 });
        expect(await repos.reconcileSchedule.due(NOW, 10)).toEqual([at('long-ago', NOW - 86_400), at('a-now', NOW), at('b-now', NOW)]);
        expect(await repos.reconcileSchedule.due(NOW, 2)).toEqual([at('long-ago', NOW - 86_400), at('a-now', NOW)]);
        expect(await repos.reconcileSchedule.due(NOW + 600, 10)).toHaveLength(5);
        expect(await repos.dueIndex.due(NOW + 600, 10)).toEqual([{ name: 'operation', requestId: 'r1', dueAt: NOW - 10 }]);
        expect(await repos.purgeSchedule.due(NOW + 600, 10)).toEqual([{ name: 'deleted', scheduledPurgeDate: NOW - 10 }]);
      });

      it('keeps one entry per change: scheduling twice keeps one, another change of the name at the same time adds one, removing is idempotent', async () => {
        const entry = { name: 'Busy', dueAt: NOW, changeId: 'c1' };
        const other = { ...entry, changeId: 'c2' };
        await repos.reconcileSchedule.schedule(entry);
        await repos.reconcileSchedule.schedule(entry);
        await repos.reconcileSchedule.schedule(other);
        expect(await repos.reconcileSchedule.due(NOW, 10)).toEqual([entry, other]);
        await repos.reconcileSchedule.remove({ ...entry, name: 'busy' });
        await repos.reconcileSchedule.remove(entry);
        expect(await repos.reconcileSchedule.due(NOW, 10)).toEqual([other]);
      });
    });

    describe('job queue', () => {
      it('delivers each job once, as it was sent', async () => {
        await repos.jobs.enqueue({ name: 'Queued', requestId: 'r1' });
        await repos.jobs.enqueue({ name: 'queued', requestId: 'r2' });
        const jobs = await repos.takeJobs();
        expect(jobs.sort((a, b) => a.requestId.localeCompare(b.requestId))).toEqual([
          { name: 'Queued', requestId: 'r1' },
          { name: 'queued', requestId: 'r2' },
        ]);
        expect(await repos.takeJobs()).toEqual([]);
      });

      it('holds a delayed job back', async () => {
        await repos.jobs.enqueue({ name: 'delayed', requestId: 'r1' }, { delaySeconds: 3600 });
        expect(await repos.takeJobs()).toEqual([]);
      });
    });
  });
}
