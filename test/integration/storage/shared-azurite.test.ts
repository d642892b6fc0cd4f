import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { SHARED_AZURITE_ENV, claimSharedAccount } from '../../helpers/shared-azurite';

/** The run's one emulator keeps test files apart by giving each its own account. */
describe('the shared Azurite of a test run', () => {
  it('is started by the global setup for the integration and e2e projects', () => {
    expect(process.env[SHARED_AZURITE_ENV]).toBeDefined();
  });

  it('hands each claim an account of its own, whose tables and queues no other claim sees', async () => {
    const first = claimSharedAccount();
    const second = claimSharedAccount();
    if (!first || !second) throw new Error(`no shared Azurite: ${SHARED_AZURITE_ENV} is not set`);
    expect(first.connectionString).not.toBe(second.connectionString);

    const table = (c: string) => TableClient.fromConnectionString(c, 'Certificates', { allowInsecureConnection: true });
    await table(first.connectionString).createTable();
    await table(second.connectionString).createTable();
    await table(first.connectionString).createEntity({ partitionKey: 'web', rowKey: 'head', data: '{}' });
    await expect(table(second.connectionString).getEntity('web', 'head')).rejects.toMatchObject({ statusCode: 404 });

    const queue = (c: string) => new QueueClient(c, 'issuer-jobs');
    await queue(first.connectionString).createIfNotExists();
    await queue(first.connectionString).sendMessage('e30=');
    expect(await queue(second.connectionString).exists()).toBe(false);
  });
});
