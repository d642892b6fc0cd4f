import type { Clock } from '../../../shared/domain/clock';
import { MemoryCertificateRepository } from './certificate-repository';
import { MemoryContactsRepository } from './contacts-repository';
import { MemoryDueIndex } from './due-index';
import { MemoryIssuerRepository } from './issuer-repository';
import { MemoryJobQueue } from './job-queue';
import { MemoryLifetimeSchedule } from './lifetime-schedule';
import { MemoryListingRepository } from './listing-repository';
import { MemoryPurgeSchedule } from './purge-schedule';
import { MemoryReconcileSchedule } from './reconcile-schedule';
import { MemoryRenewalInfoSchedule } from './renewal-info-schedule';
import { MemoryRenewalStatus } from './renewal-status';

export {
  MemoryCertificateRepository,
  MemoryContactsRepository,
  MemoryDueIndex,
  MemoryIssuerRepository,
  MemoryJobQueue,
  MemoryLifetimeSchedule,
  MemoryListingRepository,
  MemoryPurgeSchedule,
  MemoryReconcileSchedule,
  MemoryRenewalInfoSchedule,
  MemoryRenewalStatus,
};

/** A fresh, empty set of in-memory repositories; delayed jobs follow `clock`. */
export function memoryStorage(clock?: Clock) {
  return {
    certificates: new MemoryCertificateRepository(),
    issuers: new MemoryIssuerRepository(),
    contacts: new MemoryContactsRepository(),
    dueIndex: new MemoryDueIndex(),
    purgeSchedule: new MemoryPurgeSchedule(),
    reconcileSchedule: new MemoryReconcileSchedule(),
    lifetimeSchedule: new MemoryLifetimeSchedule(),
    renewalInfoSchedule: new MemoryRenewalInfoSchedule(),
    renewalStatus: new MemoryRenewalStatus(),
    jobs: new MemoryJobQueue(clock),
    listings: new MemoryListingRepository(),
  };
}
