import { describeListingConformance } from '../../helpers/listing-conformance';
import { describeRepositoryConformance } from '../../helpers/repository-conformance';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite';
import { azureRepositoriesOn } from '../../helpers/service-context';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describeRepositoryConformance('Azure Table and Queue storage (Azurite)', async () => {
  const { repositories, takeJobs } = await azureRepositoriesOn(azurite.connectionString);
  return { ...repositories, takeJobs };
});

describeListingConformance('Azure Table storage (Azurite)', async () => (await azureRepositoriesOn(azurite.connectionString)).repositories.listings);
