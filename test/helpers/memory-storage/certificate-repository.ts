import type { CertificateVersion } from '../../../shared/domain/certificate-version';
import type { PendingOperation } from '../../../shared/domain/pending-operation';
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
} from '../../../shared/storage/repositories';
import { WriteConflictError } from '../../../shared/storage/storage-errors';
import { etagFactory, storedCopy } from './copy';

/** One certificate's rows, as the Azure table keeps them in one partition. */
interface Partition {
  operation?: Stored<PendingOperation>;
  head?: Stored<CertificateHead>;
  versions: Map<string, Stored<CertificateVersion>>;
}

/**
 * CertificateRepository in memory, for service tests. Same contract as the table adapter
 * (test/helpers/repository-conformance.ts checks both): names are case-insensitive, conditional writes
 * fail with WriteConflictError, and completeOperation is all-or-nothing within one certificate.
 */
export class MemoryCertificateRepository implements CertificateRepository {
  private readonly partitions = new Map<string, Partition>();
  private readonly nextEtag = etagFactory();

  private partition(name: string): Partition {
    const key = name.toLowerCase();
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = { versions: new Map() };
      this.partitions.set(key, partition);
    }
    return partition;
  }

  async getOperation(name: string): Promise<Stored<PendingOperation> | undefined> {
    const stored = this.partitions.get(name.toLowerCase())?.operation;
    return stored && storedCopy(stored);
  }

  async getOperationAndHead(name: string): Promise<OperationAndHead> {
    const partition = this.partitions.get(name.toLowerCase());
    return {
      ...(partition?.operation ? { operation: storedCopy(partition.operation) } : {}),
      ...(partition?.head ? { head: storedCopy(partition.head) } : {}),
    };
  }

  async putOperation(op: PendingOperation, etag: string | undefined): Promise<string> {
    const partition = this.partition(op.name);
    this.checkOperationEtag(partition, op.name, etag);
    const stored = { value: storedCopy(op), etag: this.nextEtag() };
    partition.operation = stored;
    return stored.etag;
  }

  async completeOperation(op: PendingOperation, etag: string | undefined, version: CertificateVersion, head: CertificateHead): Promise<void> {
    // An entity-group transaction spans one partition; the SDK refuses anything else before sending it.
    const key = op.name.toLowerCase();
    if (version.name.toLowerCase() !== key || head.name.toLowerCase() !== key) {
      throw new Error('All operations in a transaction must target the same partitionKey');
    }
    const partition = this.partition(op.name);
    this.checkOperationEtag(partition, op.name, etag);
    partition.operation = { value: storedCopy(op), etag: this.nextEtag() };
    partition.versions.set(version.version, { value: storedCopy(version), etag: this.nextEtag() });
    partition.head = { value: storedCopy(head), etag: this.nextEtag() };
  }

  /**
   * Stores an issued certificate (its head and one version, no operation) as given, without the copies a write
   * makes: for tests that need a large store quickly (a sweep over 100,000 certificates). The caller hands the
   * objects over and never touches them again; reads still return copies.
   */
  seedIssued(version: CertificateVersion, head: CertificateHead): void {
    const partition = this.partition(head.name);
    partition.versions.set(version.version, { value: version, etag: this.nextEtag() });
    partition.head = { value: head, etag: this.nextEtag() };
  }

  async getHead(name: string): Promise<CertificateHead | undefined> {
    return (await this.getStoredHead(name))?.value;
  }

  async getStoredHead(name: string): Promise<Stored<CertificateHead> | undefined> {
    const head = this.partitions.get(name.toLowerCase())?.head;
    return head && storedCopy(head);
  }

  async replaceOperationAndHead(operation: Stored<PendingOperation>, head: Stored<CertificateHead> | undefined): Promise<void> {
    const key = operation.value.name.toLowerCase();
    if (head && head.value.name.toLowerCase() !== key) throw new Error('All operations in a transaction must target the same partitionKey');
    const partition = this.partitions.get(key);
    // Both rows are replaced If-Match: each must exist, still at the ETag it was read at.
    if (!partition?.operation || partition.operation.etag !== operation.etag || (head && partition.head?.etag !== head.etag)) {
      throw new WriteConflictError(`certificate ${operation.value.name}: another request changed it first`);
    }
    partition.operation = { value: storedCopy(operation.value), etag: this.nextEtag() };
    if (head) partition.head = { value: storedCopy(head.value), etag: this.nextEtag() };
  }

  async replaceOperationAndWriteHead(operation: Stored<PendingOperation>, head: CertificateHead, headEtag: string | undefined): Promise<void> {
    const key = operation.value.name.toLowerCase();
    if (head.name.toLowerCase() !== key) throw new Error('All operations in a transaction must target the same partitionKey');
    const partition = this.partitions.get(key);
    const headAsRead = headEtag === undefined ? partition?.head === undefined : partition?.head?.etag === headEtag;
    if (!partition?.operation || partition.operation.etag !== operation.etag || !headAsRead) {
      throw new WriteConflictError(`certificate ${operation.value.name}: another request changed it first`);
    }
    partition.operation = { value: storedCopy(operation.value), etag: this.nextEtag() };
    partition.head = { value: storedCopy(head), etag: this.nextEtag() };
  }

  async deleteVersions(name: string, versions: readonly string[]): Promise<void> {
    if (versions.length > MAX_ROWS_PER_BATCH) throw new Error(`At most ${MAX_ROWS_PER_BATCH} versions can be removed in one batch`);
    const stored = this.partitions.get(name.toLowerCase())?.versions;
    const ids = versions.map((v) => v.toLowerCase());
    // All or nothing, as in a batch: one version already gone removes none.
    if (ids.some((id) => !stored?.has(id))) throw new WriteConflictError(`certificate ${name}: another request changed it first`);
    for (const id of ids) stored?.delete(id);
  }

  async deleteHeadAndOperation(head: CertificateHead, operation: PendingOperation | undefined): Promise<void> {
    const partition = this.partitions.get(head.name.toLowerCase());
    if (!partition?.head || (operation && !partition.operation)) {
      throw new WriteConflictError(`certificate ${head.name}: another request changed it first`);
    }
    delete partition.head;
    if (operation) delete partition.operation;
  }

  async getVersion(name: string, version: string): Promise<CertificateVersion | undefined> {
    return (await this.getStoredVersion(name, version))?.value;
  }

  async getStoredVersion(name: string, version: string): Promise<Stored<CertificateVersion> | undefined> {
    const found = this.partitions.get(name.toLowerCase())?.versions.get(version.toLowerCase());
    return found && storedCopy(found);
  }

  async replaceVersion(version: Stored<CertificateVersion>, operation: Stored<PendingOperation>, head: Stored<CertificateHead>): Promise<void> {
    const key = version.value.name.toLowerCase();
    if (operation.value.name.toLowerCase() !== key || head.value.name.toLowerCase() !== key) {
      throw new Error('All operations in a transaction must target the same partitionKey');
    }
    const partition = this.partitions.get(key);
    const id = version.value.version.toLowerCase();
    // All three rows are replaced If-Match: each must exist, still at the ETag it was read at.
    if (
      partition?.versions.get(id)?.etag !== version.etag ||
      partition.operation?.etag !== operation.etag ||
      partition.head?.etag !== head.etag
    ) {
      throw new WriteConflictError(`certificate ${version.value.name}: another request changed it first`);
    }
    partition.versions.set(id, { value: storedCopy(version.value), etag: this.nextEtag() });
    partition.operation = { value: storedCopy(operation.value), etag: this.nextEtag() };
    partition.head = { value: storedCopy(head.value), etag: this.nextEtag() };
  }

  async listVersions(name: string, limit: number, after = ''): Promise<VersionPage> {
    const versions = this.partitions.get(name.toLowerCase())?.versions ?? new Map<string, Stored<CertificateVersion>>();
    // Table storage returns rows in row-key (ordinal) order; version rows are keyed by their id.
    const ids = [...versions.keys()].filter((id) => id > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const page = ids.slice(0, limit).map((id) => summaryOf((versions.get(id) as Stored<CertificateVersion>).value));
    const last = ids[limit - 1];
    return ids.length > limit && last ? { versions: page, continueAfter: last } : { versions: page };
  }

  async readWhole(name: string, maxVersions: number): Promise<WholeCertificate> {
    const partition = this.partitions.get(name.toLowerCase());
    const ids = [...(partition?.versions.keys() ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      ...(partition?.head ? { head: storedCopy(partition.head.value) } : {}),
      ...(partition?.operation ? { operation: storedCopy(partition.operation.value) } : {}),
      versions: ids.slice(0, maxVersions).map((id) => storedCopy((partition?.versions.get(id) as Stored<CertificateVersion>).value)),
      moreVersions: ids.length > maxVersions,
    };
  }

  async restore({ head, operation, versions }: RestoredCertificate): Promise<void> {
    const key = head.name.toLowerCase();
    if ([operation.name, ...versions.map((v) => v.name)].some((n) => n.toLowerCase() !== key)) {
      throw new Error('All operations in a transaction must target the same partitionKey');
    }
    const partition = this.partition(head.name);
    if (partition.head || partition.operation) throw new WriteConflictError(`certificate ${head.name}: the name is in use`);
    // Versions without a head are what an interrupted restore leaves; this one's replace them.
    partition.versions = new Map(versions.map((v) => [v.version, { value: storedCopy(v), etag: this.nextEtag() }]));
    partition.operation = { value: storedCopy(operation), etag: this.nextEtag() };
    partition.head = { value: storedCopy(head), etag: this.nextEtag() };
  }

  /** Test hook: removes every row of a name at once, as a finished purge leaves it. */
  forget(name: string): void {
    this.partitions.delete(name.toLowerCase());
  }

  /** Without an ETag the operation must not exist; with one, it must exist and still be at that ETag. */
  private checkOperationEtag(partition: Partition, name: string, etag: string | undefined): void {
    const current = partition.operation?.etag;
    if (etag === undefined ? current !== undefined : current !== etag) {
      throw new WriteConflictError(`operation ${name}: another request changed it first`);
    }
  }
}

function summaryOf(version: CertificateVersion): VersionSummary {
  const { chain: _chain, sealedPrivateKey: _key, ...summary } = storedCopy(version);
  return summary;
}
