import { describeRepositoryConformance } from '../../helpers/repository-conformance';
import { memoryStorage } from '../../helpers/memory-storage';

describeRepositoryConformance('in memory', async () => {
  const storage = memoryStorage();
  return { ...storage, takeJobs: () => storage.jobs.take() };
});
