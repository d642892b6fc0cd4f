import type { RenewalStatus } from '../../../shared/domain/renewal-status';
import type { RenewalStatusRepository } from '../../../shared/storage/repositories';
import { storedCopy } from './copy';

/** RenewalStatusRepository in memory (the table adapter is shared/storage/renewal-status-store.ts). */
export class MemoryRenewalStatus implements RenewalStatusRepository {
  private readonly statuses = new Map<string, RenewalStatus>();

  async get(name: string): Promise<RenewalStatus | undefined> {
    const status = this.statuses.get(name.toLowerCase());
    return status && storedCopy(status);
  }

  async put(status: RenewalStatus): Promise<void> {
    this.statuses.set(status.name.toLowerCase(), storedCopy(status));
  }

  async putStarted(status: RenewalStatus & { requestId: string }): Promise<void> {
    if (this.statuses.get(status.name.toLowerCase())?.requestId === status.requestId) return;
    await this.put(status);
  }

  async remove(name: string): Promise<void> {
    this.statuses.delete(name.toLowerCase());
  }
}
