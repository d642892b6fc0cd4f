import type { IssuerObject } from '../../../shared/domain/issuer';
import type { IssuerPage, IssuerRepository } from '../../../shared/storage/repositories';
import { storedCopy } from './copy';

/** IssuerRepository in memory: names are case-insensitive, put creates or replaces, lists go in lower-cased name order. */
export class MemoryIssuerRepository implements IssuerRepository {
  private readonly issuers = new Map<string, IssuerObject>();

  async get(name: string): Promise<IssuerObject | undefined> {
    const issuer = this.issuers.get(name.toLowerCase());
    return issuer && storedCopy(issuer);
  }

  async put(issuer: IssuerObject): Promise<void> {
    this.issuers.set(issuer.name.toLowerCase(), storedCopy(issuer));
  }

  async replace(issuer: IssuerObject): Promise<boolean> {
    const key = issuer.name.toLowerCase();
    if (!this.issuers.has(key)) return false;
    this.issuers.set(key, storedCopy(issuer));
    return true;
  }

  async delete(name: string): Promise<IssuerObject | undefined> {
    const key = name.toLowerCase();
    const issuer = this.issuers.get(key);
    this.issuers.delete(key);
    return issuer && storedCopy(issuer);
  }

  async list(limit: number, after = ''): Promise<IssuerPage> {
    // Table storage orders keys by ordinal (UTF-16 code unit) comparison, not locale.
    const keys = [...this.issuers.keys()].filter((key) => key > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const issuers = keys.slice(0, limit).map((key) => storedCopy(this.issuers.get(key) as IssuerObject));
    const last = keys[limit - 1];
    return keys.length > limit && last ? { issuers, continueAfter: last } : { issuers };
  }
}
