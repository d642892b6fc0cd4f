import type { Clock } from '../../../shared/domain/clock';
import { MemoryCertificateRepository } from './certificate-repository';
import { MemoryContactsRepository } from './contacts-repository';
import { MemoryDueIndex } from './due-index';
import { MemoryIssuerRepository } from './issuer-repository';
import { MemoryJobQueue } from './job-queue';
import { MemoryListingRepository } from './listing-repository';
import { MemoryPurgeSchedule } from './purge-schedule';

export {
  MemoryCertificateRepository,
  MemoryContactsRepository,
  MemoryDueIndex,
  MemoryIssuerRepository,
  MemoryJobQueue,
  MemoryListingRepository,
  MemoryPurgeSchedule,
};

/** A fresh, empty set of in-memory repositories; delayed jobs follow `clock`. */
export function memoryStorage(clock?: Clock) {
  return {
    certificates: new MemoryCertificateRepository(),
    issuers: new MemoryIssuerRepository(),
    contacts: new MemoryContactsRepository(),
    dueIndex: new MemoryDueIndex(),
    purgeSchedule: new MemoryPurgeSchedule(),
    jobs: new MemoryJobQueue(clock),
    listings: new MemoryListingRepository(),
  };
}
