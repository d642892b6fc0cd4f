import { QueueClient } from '@azure/storage-queue';
import { watchQueueSends } from '../../../scripts/local-host/queue-send-watch';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite';
import { waitFor } from './wait-for';

/**
 * The local host's queue listeners sleep up to host.json's maxPollingInterval on an idle queue; a message this
 * process sends must wake its queue's listener (at once, or when the message becomes visible), and no other.
 */
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite?.stop());

it('tells the listener of a queue when this process puts a message on it, when it becomes visible, and not for another queue', async () => {
  const watched = new QueueClient(azurite.connectionString, 'watched-jobs');
  const other = new QueueClient(azurite.connectionString, 'other-jobs');
  await Promise.all([watched.createIfNotExists(), other.createIfNotExists()]);
  const wakes: number[] = [];
  const unwatch = watchQueueSends(watched.url, () => wakes.push(Date.now()));
  try {
    await other.sendMessage('not for the watched queue');
    await watched.peekMessages();
    expect(wakes).toEqual([]);

    await watched.sendMessage('now');
    await waitFor('the wake for a message sent now', async () => (wakes.length === 1 ? true : undefined));

    const sentAt = Date.now();
    await watched.sendMessage('later', { visibilityTimeout: 1 });
    expect(wakes).toHaveLength(1);
    await waitFor('the wake when the delayed message becomes visible', async () => (wakes.length === 2 ? true : undefined));
    expect(wakes[1]! - sentAt).toBeGreaterThanOrEqual(1000);
  } finally {
    unwatch();
  }
  await watched.sendMessage('after unwatch');
  expect(wakes).toHaveLength(2);
});
