import type { IssuerObject } from '../../../shared/domain/issuer';
import type { IssuerRepository } from '../../../shared/storage/repositories';
import { storedCopy } from './copy';

/** IssuerRepository in memory: names are case-insensitive, put creates or replaces. */
export class MemoryIssuerRepository implements IssuerRepository {
  private readonly issuers = new Map<string, IssuerObject>();

  async get(name: string): Promise<IssuerObject | undefined> {
    const issuer = this.issuers.get(name.toLowerCase());
    return issuer && storedCopy(issuer);
  }

  async put(issuer: IssuerObject): Promise<void> {
    this.issuers.set(issuer.name.toLowerCase(), storedCopy(issuer));
  }
}
