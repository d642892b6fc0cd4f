import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import type { CertificateVersion } from '../../../shared/domain/certificate-version';
import { completed } from '../../../shared/domain/pending-operation';
import { CertificateStore } from '../../../shared/storage/certificate-store';
import { WriteConflictError } from '../../../shared/storage/storage-errors';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite';
import { operationFixture } from '../../helpers/operation-fixture';
import { isKeyRangeFilter, tableRequestLog } from '../../helpers/storage-request-log';

/**
 * Backup and restore on the table itself (docs/storage-design.md, "Backup and restore: one partition"): what
 * they cost in requests, and what a restore does with rows an interrupted one left, or when it loses the name.
 */
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const NOW = 1_767_225_600;
const policy = resolvePolicy({ x509_props: { subject: 'CN=backup' } }, NOW);
const id = (i: number) => i.toString(16).padStart(32, '0');

function version(name: string, i: number): CertificateVersion {
  return {
    name, version: id(i), enabled: true, notBefore: NOW, expires: NOW + 1, created: NOW, updated: NOW, tags: { i: String(i) },
    chain: ['bGVhZg', 'aXNzdWVy'], x5t: 'eDV0', keySpec: policy.key, exportable: true, sealedPrivateKey: `v1.sealed-${i}`,
    publicKeySpki: 'c3BraQ', secretContentType: policy.secretContentType, policy, preserveCertOrder: false,
  };
}

function restoring(name: string, ids: number[]) {
  const versions = ids.map((i) => version(name, i));
  const latest = versions.at(-1) as CertificateVersion;
  const operation = { ...completed(operationFixture({ name, requestId: 'r', version: latest.version, policy, created: NOW }), NOW), deleted: true };
  return { head: { name, policy, latestVersion: latest.version }, operation, versions };
}

async function newTable(client: (table: string) => TableClient): Promise<TableClient> {
  const table = client(`Backup${randomBytes(4).toString('hex')}`);
  await table.createTable();
  return table;
}

describe('backup and restore in the certificates table', () => {
  it('reads 500 versions for a backup in one key-range request, and restores them in batches of at most 100 rows', async () => {
    const log = tableRequestLog();
    const table = await newTable((t) => log.tableClient(azurite.connectionString, t));
    const store = new CertificateStore(table);
    const ids = Array.from({ length: 500 }, (_, i) => i + 1);
    await store.restore(restoring('big', [1]));
    await store.restore(restoring('Many', ids));

    log.clear();
    const whole = await store.readWhole('many', 500);
    expect(whole.versions.map((v) => v.version)).toEqual(ids.map(id));
    expect(whole.moreVersions).toBe(false);
    expect(log.requests).toHaveLength(1);
    expect(log.requests[0]?.filter).toBe("PartitionKey eq 'many'");
    expect(isKeyRangeFilter(log.requests[0]?.filter ?? '')).toBe(true);
    expect(log.requests[0]?.returned).toBe(502);

    // A restore: one key-only query of the partition, then ceil((500 versions + head + operation) / 100) batches.
    log.clear();
    await store.restore(restoring('again', ids));
    expect(log.requests.map((r) => (r.filter !== undefined ? 'query' : r.method))).toEqual(['query', 'POST', 'POST', 'POST', 'POST', 'POST', 'POST']);
  });

  it('replaces or removes version rows an interrupted restore left behind (no head)', async () => {
    const table = await newTable((t) => TableClient.fromConnectionString(azurite.connectionString, t, { allowInsecureConnection: true }));
    const store = new CertificateStore(table);
    // What a restore that died before its last batch leaves: version rows, no head, no operation.
    for (const i of [1, 9]) {
      const stray = version('left', i);
      await table.createEntity({ partitionKey: 'left', rowKey: `v-${stray.version}`, data: JSON.stringify({ ...stray, tags: { stray: 'yes' }, chain: undefined }), chain: '[]' });
    }
    await store.restore(restoring('left', [1, 2]));
    const whole = await store.readWhole('left', 500);
    expect(whole.versions.map((v) => [v.version, v.tags])).toEqual([
      [id(1), { i: '1' }],
      [id(2), { i: '2' }],
    ]);
    expect(whole.head?.latestVersion).toBe(id(2));
  });

  it('takes back the versions it wrote when a create takes the name before its last batch', async () => {
    let batches = 0;
    const connection = azurite.connectionString;
    const tableName = `Backup${randomBytes(4).toString('hex')}`;
    // Another writer on the same table: the create that takes the name.
    const rival = TableClient.fromConnectionString(connection, tableName, { allowInsecureConnection: true });
    const table = await newTable(() =>
      TableClient.fromConnectionString(connection, tableName, {
        allowInsecureConnection: true,
        additionalPolicies: [
          {
            position: 'perCall',
            policy: {
              name: 'createBeforeTheCommit',
              async sendRequest(request, next) {
                // The second batch of a 150-version restore is its last: a create inserts `pending` just before it.
                if (request.method === 'POST' && request.url.includes('$batch') && ++batches === 2) {
                  await rival.createEntity({ partitionKey: 'contested', rowKey: 'pending', data: '{}', status: 'inProgress', requestId: 'x', deleted: false, sealedPrivateKey: '' });
                }
                return next(request);
              },
            },
          },
        ],
      }),
    );
    const store = new CertificateStore(table);
    await expect(store.restore(restoring('contested', Array.from({ length: 150 }, (_, i) => i + 1)))).rejects.toBeInstanceOf(WriteConflictError);
    expect(batches).toBe(2);
    const left: string[] = [];
    for await (const row of rival.listEntities({ queryOptions: { filter: "PartitionKey eq 'contested'", select: ['RowKey'] } })) left.push(row.rowKey ?? '');
    expect(left).toEqual(['pending']);
  });
});
