import { describeRepositoryConformance } from '../../helpers/repository-conformance';
import { describeListingConformance } from '../../helpers/listing-conformance';
import { MemoryListingRepository, memoryStorage } from '../../helpers/memory-storage';

describeRepositoryConformance('in memory', async () => {
  const storage = memoryStorage();
  return { ...storage, takeJobs: () => storage.jobs.take() };
});

describeListingConformance('in memory', async () => new MemoryListingRepository());
