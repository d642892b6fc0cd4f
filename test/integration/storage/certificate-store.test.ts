import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite';
import { azureRepositoriesOn } from '../../helpers/service-context';

/** What only the table adapter has: entity layouts written by earlier releases of this service. */
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe('the certificate table adapter', () => {
  it('reads a head written before the head kept a copy of the latest version', async () => {
    const { repositories, tables } = await azureRepositoriesOn(azurite.connectionString);
    const policy = resolvePolicy({ x509_props: { subject: 'CN=older' } }, 1_767_225_600);
    const older = { name: 'Older-Head', policy, latestVersion: '0123456789abcdef0123456789abcdef' };
    // The row exactly as the earlier release wrote it: one JSON property, no latestData/latestChain.
    await tables.certificates.createEntity({ partitionKey: 'older-head', rowKey: 'head', data: JSON.stringify(older) });
    const head = await repositories.certificates.getHead('older-head');
    expect(head).toEqual(older);
    expect(head).not.toHaveProperty('latest');
  });
});
