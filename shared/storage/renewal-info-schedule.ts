import { odata, type TableClient } from '@azure/data-tables';
import { orUndefinedOn404 } from './storage-errors';

/**
 * When to ask the CA again what it says of a certificate version's renewal (ACME Renewal Information, RFC 9773;
 * shared/services/renewal-info-checks.ts), in the OperationsDue table beside the other due entries: partition
 * `ari-<minute bucket>`, row `<dueAt>_<lower name>_<version>`. The status sweep's partitions are all digits
 * (sorting before `a`), the lifetime, purge and reconcile readers read their own prefixes, so no reader sees
 * another's rows, and a check reads one key range of what is due.
 */
export interface RenewalInfoCheck {
  name: string;
  /** The version the CA is asked about: a newer version drops the check. */
  version: string;
  dueAt: number;
}

export interface RenewalInfoSchedule {
  /** Idempotent. */
  schedule(check: RenewalInfoCheck): Promise<void>;
  /** Idempotent: removing an absent entry is not an error. */
  remove(check: RenewalInfoCheck): Promise<void>;
  /** Checks due at or before `now`, at most `limit`, earliest minute first. */
  due(now: number, limit: number): Promise<RenewalInfoCheck[]>;
}

interface CheckEntity {
  partitionKey: string;
  rowKey: string;
  name: string;
  version: string;
  dueAt: number;
}

const PREFIX = 'ari-';
const BUCKET_SECONDS = 60;
const DIGITS = 12;

const padded = (n: number) => String(n).padStart(DIGITS, '0');
const partitionOf = (dueAt: number) => `${PREFIX}${padded(Math.floor(dueAt / BUCKET_SECONDS))}`;
const rowOf = (check: RenewalInfoCheck) => `${padded(check.dueAt)}_${check.name.toLowerCase()}_${check.version}`;

export class RenewalInfoScheduleIndex implements RenewalInfoSchedule {
  constructor(private readonly table: TableClient) {}

  async schedule(check: RenewalInfoCheck): Promise<void> {
    await this.table.upsertEntity<CheckEntity>({ partitionKey: partitionOf(check.dueAt), rowKey: rowOf(check), ...check }, 'Replace');
  }

  async remove(check: RenewalInfoCheck): Promise<void> {
    await orUndefinedOn404(this.table.deleteEntity(partitionOf(check.dueAt), rowOf(check)));
  }

  async due(now: number, limit: number): Promise<RenewalInfoCheck[]> {
    const filter = odata`PartitionKey ge ${PREFIX} and PartitionKey le ${partitionOf(now)} and RowKey lt ${padded(now + 1)}`;
    const checks: RenewalInfoCheck[] = [];
    const pages = this.table.listEntities<CheckEntity>({ queryOptions: { filter, select: ['name', 'version', 'dueAt'] } }).byPage({ maxPageSize: limit });
    for await (const page of pages) {
      for (const entity of page) {
        checks.push({ name: entity.name, version: entity.version, dueAt: entity.dueAt });
        if (checks.length >= limit) return checks;
      }
    }
    return checks;
  }
}
