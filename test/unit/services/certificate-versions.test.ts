import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import type { CertificateVersion } from '../../../shared/domain/certificate-version';
import { type PendingOperation, completed, failed } from '../../../shared/domain/pending-operation';
import { type VersionListItem, listCertificateVersions } from '../../../shared/services/certificate-versions';
import { operationFixture } from '../../helpers/operation-fixture';
import { memoryServiceContext } from '../../helpers/service-context';

const NOW = 1_767_225_600;
const policy = resolvePolicy({ x509_props: { subject: 'CN=versions' } }, NOW);
/** Version ids chosen so that where the operation's version sorts among the issued ones is known. */
const id = (n: number) => n.toString(16).padStart(32, '0');

function operation(name: string, version: string): PendingOperation {
  return operationFixture({ name, requestId: `req-${version}`, version, policy, created: NOW, tags: { t: version } });
}

function versionOf(op: PendingOperation): CertificateVersion {
  return {
    name: op.name,
    version: op.version,
    enabled: true,
    notBefore: NOW,
    expires: NOW + 86_400,
    created: NOW,
    updated: NOW,
    tags: op.tags,
    chain: ['bGVhZg'],
    x5t: 'eDV0',
    keySpec: policy.key,
    exportable: true,
    sealedPrivateKey: op.sealedPrivateKey,
    publicKeySpki: op.publicKeySpki,
    secretContentType: policy.secretContentType,
    policy,
    preserveCertOrder: false,
  };
}

/** Issues versions `ids` of `name` in storage, then leaves `pending` (if given) as its unfinished operation. */
async function seed(name: string, ids: string[], pending?: PendingOperation) {
  const setup = memoryServiceContext();
  const { certificates } = setup.storage;
  for (const version of ids) {
    const op = operation(name, version);
    const etag = await certificates.putOperation(op, (await certificates.getOperation(name))?.etag);
    const issued = versionOf(op);
    await certificates.completeOperation(completed(op, NOW), etag, issued, { name, policy, latestVersion: version });
  }
  if (pending) await certificates.putOperation(pending, (await certificates.getOperation(name))?.etag);
  return setup.ctx;
}

const label = (item: VersionListItem) => (item.kind === 'issued' ? item.version.version : `pending:${item.operation.version}`);

/** Every page of the list, following continueAfter as the route's nextLink does. */
async function walk(ctx: Awaited<ReturnType<typeof seed>>, name: string, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | undefined;
  do {
    const page = await listCertificateVersions(ctx, name, limit, after);
    pages.push(page.items.map(label));
    after = page.continueAfter;
  } while (after !== undefined);
  return pages;
}

describe("listing a certificate's versions", () => {
  it('lists a name that has no versions as an empty page, not as an error', async () => {
    expect(await listCertificateVersions(await seed('x', []), 'never-written', 25)).toEqual({ items: [] });
  });

  it('pages the issued versions in id order, each once, with no continuation after a full last page', async () => {
    const ids = [1, 2, 3, 4].map(id);
    const ctx = await seed('Paged', ids);
    expect(await walk(ctx, 'PAGED', 2)).toEqual([ids.slice(0, 2), ids.slice(2)]);
    expect(await walk(ctx, 'paged', 4)).toEqual([ids]);
    expect(await walk(ctx, 'paged', 3)).toEqual([ids.slice(0, 3), ids.slice(3)]);
  });

  it('shows the version still being requested among the versions, where its id sorts, on exactly one page', async () => {
    const ids = [0x10, 0x20, 0x30, 0x40, 0x50].map(id);
    const ctx = await seed('pending', ids, operation('pending', id(0x35)));
    expect(await walk(ctx, 'pending', 2)).toEqual([
      [ids[0], ids[1]],
      [ids[2], `pending:${id(0x35)}`],
      [ids[3], ids[4]],
    ]);
    expect((await walk(ctx, 'pending', 25)).flat()).toHaveLength(6);
  });

  it('carries the version still being requested to a page of its own when it sorts after every issued one', async () => {
    const ids = [1, 2].map(id);
    const ctx = await seed('last', ids, operation('last', id(0xff)));
    expect(await walk(ctx, 'last', 2)).toEqual([ids, [`pending:${id(0xff)}`]]);
    expect(await walk(ctx, 'last', 3)).toEqual([[...ids, `pending:${id(0xff)}`]]);
  });

  it('lists a first version still being requested on its own, and a failed one too (GET by version still serves it)', async () => {
    const ctx = await seed('first', [], operation('first', id(7)));
    expect(await walk(ctx, 'first', 25)).toEqual([[`pending:${id(7)}`]]);
    const failedCtx = await seed('failed', [id(1)], failed(operation('failed', id(9)), { code: 'Failed', message: 'The issuer refused.' }, NOW));
    expect(await walk(failedCtx, 'failed', 25)).toEqual([[id(1), `pending:${id(9)}`]]);
  });

  it('lists a soft-deleted certificate as empty, and its versions again once the deletion is gone', async () => {
    const ids = [1, 2].map(id);
    const ctx = await seed('removed', ids);
    const head = await ctx.certificates.getStoredHead('removed');
    const op = await ctx.certificates.getOperation('removed');
    if (!head || !op) throw new Error('not seeded');
    await ctx.certificates.replaceOperationAndHead(op, { ...head, value: { ...head.value, deletion: { deletedDate: NOW, scheduledPurgeDate: NOW + 7 * 86_400 } } });
    expect(await listCertificateVersions(ctx, 'removed', 25)).toEqual({ items: [] });

    const deleted = await ctx.certificates.getStoredHead('removed');
    const again = await ctx.certificates.getOperation('removed');
    if (!deleted || !again) throw new Error('gone');
    const { deletion: _deletion, ...recovered } = deleted.value;
    await ctx.certificates.replaceOperationAndHead(again, { ...deleted, value: recovered });
    expect(await walk(ctx, 'removed', 25)).toEqual([ids]);
  });

  it("lists a completed operation's version once, as issued", async () => {
    const ids = [1, 2, 3].map(id);
    const ctx = await seed('done', ids);
    expect(await walk(ctx, 'done', 25)).toEqual([ids]);
  });
});
