import { randomBytes } from 'node:crypto';
import { makeTableClient } from '../../../shared/storage/clients';
import { readEntity } from '../../../shared/storage/point-read';
import { orUndefinedOn404 } from '../../../shared/storage/storage-errors';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite';

/**
 * The lean point read (shared/storage/point-read.ts) reads what the SDK's getEntity reads, on Azurite: the
 * same properties and the same ETag, for keys that need OData quoting and URL encoding.
 */
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

// Quotes (doubled in the key literal), percent signs (encoded, and one that looks encoded already), spaces,
// plus, reserved URL characters Azure allows in keys, and non-ASCII text.
const KEYS = ["it's", "''", "a'b''c'", '100%', '%25', 'a b+c', 'x=1&y=(2)', 'é-ü-ß', '日本語', '🔑', ':;,@$!*~'];

it('reads each entity as getEntity does (properties and ETag), whatever its keys hold, and a missing one as undefined', async () => {
  const table = makeTableClient({ kind: 'connectionString', connectionString: azurite.connectionString }, `PointRead${randomBytes(4).toString('hex')}`);
  await table.createTable();
  for (const [i, key] of KEYS.entries()) {
    const entity = { partitionKey: `p-${key}`, rowKey: `r-${key}`, data: `{"n":${i}}`, deleted: i % 2 === 0, count: i };
    await table.createEntity(entity);
    const lean = await readEntity<typeof entity>(table, entity.partitionKey, entity.rowKey);
    const sdk = await table.getEntity<typeof entity>(entity.partitionKey, entity.rowKey);
    expect({ key, lean }).toEqual({ key, lean: expect.objectContaining({ partitionKey: entity.partitionKey, rowKey: entity.rowKey, data: entity.data, deleted: entity.deleted, count: i }) });
    expect({ key, etag: lean?.etag }).toEqual({ key, etag: sdk.etag });
    // The ETag it gives is the one a conditional write must present.
    await table.updateEntity({ ...entity, data: 'changed' }, 'Replace', { etag: lean?.etag ?? '' });
    expect((await readEntity<typeof entity>(table, entity.partitionKey, entity.rowKey))?.data).toBe('changed');
    expect(await readEntity(table, entity.partitionKey, `${entity.rowKey}-absent`)).toBeUndefined();
  }
  expect(await orUndefinedOn404(table.getEntity('nobody', 'nothing'))).toBeUndefined();
  expect(await readEntity(table, 'nobody', 'nothing')).toBeUndefined();
});
