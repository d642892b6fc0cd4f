import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { type CertificateVersion, type VersionWithoutKey, isVersionId } from '../domain/certificate-version';
import type { PendingOperation } from '../domain/pending-operation';
import {
  type CertificateHead,
  type CertificateRepository,
  MAX_ROWS_PER_BATCH,
  type OperationAndHead,
  type RestoredCertificate,
  type Stored,
  type VersionPage,
  type VersionSummary,
  type WholeCertificate,
} from './repositories';
import { WriteConflictError, conditional } from './storage-errors';
import { readEntity } from './point-read';
import { inBatches } from './transaction-batches';

/**
 * The certificate table: one partition per certificate name (lower-cased: names are case-insensitive),
 * holding the pending operation (row `pending`), the certificate's head (row `head`: current policy and
 * latest version, with a copy of that version without its key) and its versions (rows `v-<version>`).
 * Keeping them in one partition lets the issuer job finish an operation in one atomic batch, and the copy
 * lets `GET /certificates/{name}/` answer from the operation and the head, read together.
 */

const PENDING_ROW = 'pending';
const HEAD_ROW = 'head';
const VERSION_PREFIX = 'v-';
/** The first row key after every `v-…` one. */
const VERSIONS_END = 'v.';

// Type aliases (not interfaces) so that entities fit the SDK's Record-typed transaction actions.
type JsonEntity = {
  partitionKey: string;
  rowKey: string;
  data: string;
  etag?: string;
};

/** Private keys are already sealed by the service; the entity keeps them in their own properties. */
type OperationEntity = JsonEntity & {
  status: string;
  requestId: string;
  deleted: boolean;
  sealedPrivateKey: string;
};

type VersionEntity = JsonEntity & {
  chain: string;
  sealedPrivateKey?: string;
};

/** The latest version's copy has its own properties, as in a version row: each property holds at most 64 KiB. */
type HeadEntity = JsonEntity & {
  latestData?: string;
  latestChain?: string;
};

export function partitionOf(name: string): string {
  return name.toLowerCase();
}

function versionRow(version: string): string {
  return `${VERSION_PREFIX}${version}`;
}

function toOperationEntity(op: PendingOperation): OperationEntity {
  const { sealedPrivateKey, ...rest } = op;
  return {
    partitionKey: partitionOf(op.name),
    rowKey: PENDING_ROW,
    data: JSON.stringify(rest),
    status: op.status,
    requestId: op.requestId,
    deleted: op.deleted,
    sealedPrivateKey,
  };
}

function fromOperationEntity(entity: OperationEntity): PendingOperation {
  return { ...(JSON.parse(entity.data) as Omit<PendingOperation, 'sealedPrivateKey'>), sealedPrivateKey: entity.sealedPrivateKey };
}

function toVersionEntity(version: CertificateVersion): VersionEntity {
  const { chain, sealedPrivateKey, ...rest } = version;
  return {
    partitionKey: partitionOf(version.name),
    rowKey: versionRow(version.version),
    data: JSON.stringify(rest),
    chain: JSON.stringify(chain),
    ...(sealedPrivateKey ? { sealedPrivateKey } : {}),
  };
}

function fromVersionEntity(entity: VersionEntity): CertificateVersion {
  const rest = JSON.parse(entity.data) as Omit<CertificateVersion, 'chain' | 'sealedPrivateKey'>;
  return {
    ...rest,
    chain: JSON.parse(entity.chain) as string[],
    ...(entity.sealedPrivateKey ? { sealedPrivateKey: entity.sealedPrivateKey } : {}),
  };
}

function toHeadEntity(head: CertificateHead): HeadEntity {
  const { latest, ...rest } = head;
  const entity: HeadEntity = { partitionKey: partitionOf(head.name), rowKey: HEAD_ROW, data: JSON.stringify(rest) };
  if (latest) {
    const { chain, ...latestRest } = latest;
    entity.latestData = JSON.stringify(latestRest);
    entity.latestChain = JSON.stringify(chain);
  }
  return entity;
}

function fromHeadEntity(entity: HeadEntity): CertificateHead {
  const head = JSON.parse(entity.data) as CertificateHead;
  if (entity.latestData === undefined || entity.latestChain === undefined) return head;
  const latest = { ...(JSON.parse(entity.latestData) as Omit<VersionWithoutKey, 'chain'>), chain: JSON.parse(entity.latestChain) as string[] };
  return { ...head, latest };
}

export class CertificateStore implements CertificateRepository {
  constructor(private readonly table: TableClient) {}

  async getOperation(name: string): Promise<Stored<PendingOperation> | undefined> {
    const entity = await readEntity<OperationEntity>(this.table, partitionOf(name), PENDING_ROW);
    return entity ? { value: fromOperationEntity(entity), etag: entity.etag } : undefined;
  }

  /**
   * One query for the two rows: `head` and `pending` are adjacent in the partition's key order (no other row
   * key sorts between them: `renewal` and `v-…` come after), so the range holds exactly them and Azure seeks
   * it as it would a point read, for one billed request instead of two. Rows are still told apart by key,
   * and every page is followed (Azure may end any query's response early with a continuation).
   */
  async getOperationAndHead(name: string): Promise<OperationAndHead> {
    const filter = odata`PartitionKey eq ${partitionOf(name)} and RowKey ge ${HEAD_ROW} and RowKey le ${PENDING_ROW}`;
    const found: OperationAndHead = {};
    for await (const page of this.table.listEntities<AnyEntity>({ queryOptions: { filter } }).byPage()) {
      for (const entity of page) {
        if (entity.rowKey === PENDING_ROW) found.operation = { value: fromOperationEntity(entity as OperationEntity), etag: entity.etag };
        else if (entity.rowKey === HEAD_ROW) found.head = { value: fromHeadEntity(entity as HeadEntity), etag: entity.etag };
      }
    }
    return found;
  }

  async putOperation(op: PendingOperation, etag: string | undefined): Promise<string> {
    const entity = toOperationEntity(op);
    const response = etag
      ? await conditional(this.table.updateEntity(entity, 'Replace', { etag }), `operation ${op.name}`)
      : await conditional(this.table.createEntity(entity), `operation ${op.name}`);
    return response.etag ?? '';
  }

  /** One entity-group transaction: the three rows share the partition, so they move together or not at all. */
  async completeOperation(op: PendingOperation, etag: string | undefined, version: CertificateVersion, head: CertificateHead): Promise<void> {
    const actions: TransactionAction[] = [
      etag ? ['update', toOperationEntity(op), 'Replace', { etag }] : ['create', toOperationEntity(op)],
      ['upsert', toVersionEntity(version), 'Replace'],
      ['upsert', toHeadEntity(head), 'Replace'],
    ];
    await conditional(this.table.submitTransaction(actions), `operation ${op.name}`);
  }

  async getHead(name: string): Promise<CertificateHead | undefined> {
    return (await this.getStoredHead(name))?.value;
  }

  async getStoredHead(name: string): Promise<Stored<CertificateHead> | undefined> {
    const entity = await readEntity<HeadEntity>(this.table, partitionOf(name), HEAD_ROW);
    return entity ? { value: fromHeadEntity(entity), etag: entity.etag } : undefined;
  }

  /** One entity-group transaction, each row `If-Match` the ETag it was read at. */
  async replaceOperationAndHead(operation: Stored<PendingOperation>, head: Stored<CertificateHead> | undefined): Promise<void> {
    const actions: TransactionAction[] = [['update', toOperationEntity(operation.value), 'Replace', { etag: operation.etag }]];
    if (head) actions.push(['update', toHeadEntity(head.value), 'Replace', { etag: head.etag }]);
    await conditional(this.table.submitTransaction(actions), `certificate ${operation.value.name}`);
  }

  /** One entity-group transaction: the operation `If-Match`, the head `If-Match` or inserted. */
  async replaceOperationAndWriteHead(operation: Stored<PendingOperation>, head: CertificateHead, headEtag: string | undefined): Promise<void> {
    const actions: TransactionAction[] = [
      ['update', toOperationEntity(operation.value), 'Replace', { etag: operation.etag }],
      headEtag ? ['update', toHeadEntity(head), 'Replace', { etag: headEtag }] : ['create', toHeadEntity(head)],
    ];
    await conditional(this.table.submitTransaction(actions), `certificate ${operation.value.name}`);
  }

  async deleteVersions(name: string, versions: readonly string[]): Promise<void> {
    if (versions.length === 0) return;
    if (versions.length > MAX_ROWS_PER_BATCH) throw new Error(`At most ${MAX_ROWS_PER_BATCH} versions can be removed in one batch`);
    const pk = partitionOf(name);
    const actions: TransactionAction[] = versions.map((v) => ['delete', { partitionKey: pk, rowKey: versionRow(v.toLowerCase()) }]);
    await conditional(this.table.submitTransaction(actions), `certificate ${name}`);
  }

  async deleteHeadAndOperation(head: CertificateHead, operation: PendingOperation | undefined): Promise<void> {
    const pk = partitionOf(head.name);
    const actions: TransactionAction[] = [['delete', { partitionKey: pk, rowKey: HEAD_ROW }]];
    if (operation) actions.push(['delete', { partitionKey: pk, rowKey: PENDING_ROW }]);
    await conditional(this.table.submitTransaction(actions), `certificate ${head.name}`);
  }

  async getVersion(name: string, version: string): Promise<CertificateVersion | undefined> {
    return (await this.getStoredVersion(name, version))?.value;
  }

  async getStoredVersion(name: string, version: string): Promise<Stored<CertificateVersion> | undefined> {
    // A segment such as `a/b` is no version, and no valid row key either: never sent to the table.
    if (!isVersionId(version)) return undefined;
    const entity = await readEntity<VersionEntity>(this.table, partitionOf(name), versionRow(version.toLowerCase()));
    return entity ? { value: fromVersionEntity(entity), etag: entity.etag } : undefined;
  }

  /** One entity-group transaction, each of the three rows `If-Match` the ETag it was read at. */
  async replaceVersion(version: Stored<CertificateVersion>, operation: Stored<PendingOperation>, head: Stored<CertificateHead>): Promise<void> {
    const actions: TransactionAction[] = [
      ['update', toVersionEntity(version.value), 'Replace', { etag: version.etag }],
      ['update', toOperationEntity(operation.value), 'Replace', { etag: operation.etag }],
      ['update', toHeadEntity(head.value), 'Replace', { etag: head.etag }],
    ];
    await conditional(this.table.submitTransaction(actions), `certificate ${version.value.name}`);
  }

  async listVersions(name: string, limit: number, after?: string): Promise<VersionPage> {
    const pk = partitionOf(name);
    // Version rows are `v-<id>`, and `.` is the character after `-`: the range holds exactly this
    // certificate's versions, so Azure scans only the rows it returns.
    const filter =
      after === undefined
        ? odata`PartitionKey eq ${pk} and RowKey ge ${VERSION_PREFIX} and RowKey lt ${VERSIONS_END}`
        : odata`PartitionKey eq ${pk} and RowKey gt ${versionRow(after)} and RowKey lt ${VERSIONS_END}`;
    // Only `data`: the chain and the sealed key are most of a row and a list shows neither. One row more
    // than the page says whether a next page exists, so a full last page has no nextLink to an empty one.
    const pages = this.table.listEntities<Pick<VersionEntity, 'data'>>({ queryOptions: { filter, select: ['data'] } }).byPage({ maxPageSize: limit + 1 });
    const rows: Pick<VersionEntity, 'data'>[] = [];
    // Azure may end a response early with a continuation; follow it only until the page is full.
    for await (const page of pages) {
      rows.push(...page);
      if (rows.length > limit) break;
    }
    const versions = rows.slice(0, limit).map((row) => JSON.parse(row.data) as VersionSummary);
    const last = versions.at(-1);
    return rows.length > limit && last ? { versions, continueAfter: last.version } : { versions };
  }

  async readWhole(name: string, maxVersions: number): Promise<WholeCertificate> {
    const whole: WholeCertificate = { versions: [], moreVersions: false };
    // `head` and `pending` sort before every `v-…` row, so stopping after one version too many reads no more
    // than the backup needs: up to 1,000 rows a response, so 500 versions are one request.
    const pages = this.table.listEntities<AnyEntity>({ queryOptions: { filter: odata`PartitionKey eq ${partitionOf(name)}` } }).byPage({ maxPageSize: 1000 });
    for await (const page of pages) {
      for (const entity of page) {
        if (entity.rowKey === HEAD_ROW) whole.head = fromHeadEntity(entity as HeadEntity);
        else if (entity.rowKey === PENDING_ROW) whole.operation = fromOperationEntity(entity as OperationEntity);
        else if (entity.rowKey.startsWith(VERSION_PREFIX)) {
          if (whole.versions.length === maxVersions) return { ...whole, moreVersions: true };
          whole.versions.push(fromVersionEntity(entity as VersionEntity));
        }
      }
    }
    return whole;
  }

  async restore({ head, operation, versions }: RestoredCertificate): Promise<void> {
    const pk = partitionOf(head.name);
    if ([operation.name, ...versions.map((v) => v.name)].some((n) => partitionOf(n) !== pk)) {
      throw new Error('All operations in a transaction must target the same partitionKey');
    }
    const existing: string[] = [];
    for await (const row of this.table.listEntities<object>({ queryOptions: { filter: odata`PartitionKey eq ${pk}`, select: ['RowKey'] } })) {
      existing.push(row.rowKey ?? '');
    }
    if (existing.includes(HEAD_ROW) || existing.includes(PENDING_ROW)) throw new WriteConflictError(`certificate ${head.name}: the name is in use`);

    const restoring = new Set(versions.map((v) => versionRow(v.version)));
    const versionActions: TransactionAction[] = [
      ...versions.map((v): TransactionAction => ['upsert', toVersionEntity(v), 'Replace']),
      // Rows of an interrupted restore that this one does not bring back would otherwise show up in its list.
      ...existing.filter((key) => key.startsWith(VERSION_PREFIX) && !restoring.has(key)).map((rowKey): TransactionAction => ['delete', { partitionKey: pk, rowKey }]),
    ];
    const commit: TransactionAction[] = [
      ['create', toOperationEntity(operation)],
      ['create', toHeadEntity(head)],
    ];
    const batches = inBatches(versionActions, commit, (action) => JSON.stringify(action[1]).length);
    const written: { rowKey: string; etag: string }[] = [];
    try {
      for (const batch of batches) {
        const response = await conditional(this.table.submitTransaction(batch), `certificate ${head.name}`);
        // Sub-responses come in the order of the batch's actions (an upsert's carries no row key of its own).
        batch.forEach(([kind, entity], i) => {
          const etag = response.subResponses[i]?.etag;
          if (kind === 'upsert' && etag !== undefined) written.push({ rowKey: entity.rowKey, etag });
        });
      }
    } catch (error) {
      if (error instanceof WriteConflictError) await this.takeBack(pk, written);
      throw error;
    }
  }

  /**
   * Removes version rows a losing restore wrote, each only if it is still as written: a row another restore
   * of the same blob has rewritten since is that restore's now, and stays.
   */
  private async takeBack(pk: string, written: readonly { rowKey: string; etag: string }[]): Promise<void> {
    for (const { rowKey, etag } of written) {
      await this.table.deleteEntity(pk, rowKey, { etag }).catch(() => undefined);
    }
  }
}

/** A row of any kind, told apart by its row key. */
type AnyEntity = JsonEntity & Record<string, unknown>;
