import path from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { startLocalHost, type LocalHost } from '../../../scripts/local-host/host';
import { startAzurite, type RunningAzurite } from '../../helpers/azurite';
import { gate, seen } from './fixtures/queue-functions';
import { ticks } from './fixtures/timer-functions';
import { waitFor } from './wait-for';

/**
 * Queue and timer triggers against a private Azurite, with the fixture host.json
 * (maxDequeueCount 3, visibilityTimeout 1 s, maxPollingInterval 500 ms, base64 messages).
 */

const FIXTURES = path.join(__dirname, 'fixtures');
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('local host: queue and timer triggers', () => {
  let azurite: RunningAzurite;
  let host: LocalHost;
  const queue = (name: string) => new QueueClient(azurite.connectionString, name);

  beforeAll(async () => {
    azurite = await startAzurite();
    host = await startLocalHost({
      port: 0,
      functionModules: [path.join(FIXTURES, 'queue-functions.ts'), path.join(FIXTURES, 'timer-functions.ts')],
      hostJsonPath: path.join(FIXTURES, 'host.json'),
      env: {
        FixtureStorage: azurite.connectionString,
        FIXTURE_ECHO_QUEUE: 'fixture-echo',
        FIXTURE_TIMER_SCHEDULE: '*/1 * * * * *',
      },
      log: () => undefined,
    });
  });

  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('creates each trigger queue and its poison queue', async () => {
    for (const name of ['fixture-echo', 'fixture-echo-poison', 'fixture-flaky-poison', 'fixture-poison-poison']) {
      expect(await queue(name).exists()).toBe(true);
    }
  });

  it('hands a base64 JSON message to the handler as an object, with trigger metadata', async () => {
    const sent = await queue('fixture-echo').sendMessage(base64(JSON.stringify({ name: 'cert-1', requestId: 'r1' })));
    const message = await waitFor('the echo handler', () => seen.echo.find((m) => m.id === sent.messageId));
    expect(message.message).toEqual({ name: 'cert-1', requestId: 'r1' });
    expect(message.dequeueCount).toBe(1);
    // A successful message is deleted.
    await waitFor('the echo queue to drain', async () =>
      (await queue('fixture-echo').getProperties()).approximateMessagesCount === 0 ? true : undefined,
    );
  });

  it('hands a non-JSON message over as a string', async () => {
    const sent = await queue('fixture-echo').sendMessage(base64('just text'));
    const message = await waitFor('the echo handler', () => seen.echo.find((m) => m.id === sent.messageId));
    expect(message.message).toBe('just text');
  });

  describe('failing messages', () => {
    // Sent together so their retries (1 s apart) overlap instead of adding up.
    const poisonText = base64(JSON.stringify({ doomed: true }));
    const invalidText = 'not base64 at all!';
    let flakyId: string;
    let poisonId: string;
    let echoSeenBefore: number;

    beforeAll(async () => {
      echoSeenBefore = seen.echo.length;
      [flakyId, poisonId] = await Promise.all([
        queue('fixture-flaky').sendMessage(base64('{"attempt":"flaky"}')).then((r) => r.messageId),
        queue('fixture-poison').sendMessage(poisonText).then((r) => r.messageId),
        queue('fixture-echo').sendMessage(invalidText).then((r) => r.messageId),
      ]);
    });

    const poisonMessages = async (name: string) => {
      const { peekedMessageItems } = await queue(`${name}-poison`).peekMessages({ numberOfMessages: 32 });
      return peekedMessageItems.length > 0 ? peekedMessageItems.map((m) => m.messageText) : undefined;
    };

    it('retries a failing message after the visibility timeout until it succeeds', async () => {
      await waitFor('the third attempt', () => (seen.flaky.filter((m) => m.id === flakyId).length >= 3 ? true : undefined));
      expect(seen.flaky.filter((m) => m.id === flakyId).map((m) => m.dequeueCount)).toEqual([1, 2, 3]);
      await waitFor('the flaky queue to drain', async () =>
        (await queue('fixture-flaky').getProperties()).approximateMessagesCount === 0 ? true : undefined,
      );
      expect(await poisonMessages('fixture-flaky')).toBeUndefined();
    });

    it('moves a message that always fails to <queue>-poison after maxDequeueCount attempts', async () => {
      expect(await waitFor('the poison queue', () => poisonMessages('fixture-poison'))).toEqual([poisonText]);
      expect(seen.poison.filter((m) => m.id === poisonId).map((m) => m.dequeueCount)).toEqual([1, 2, 3]);
      // The copy is written before the original is deleted, so the original may linger for a moment.
      await waitFor('the poisoned message to leave its queue', async () =>
        (await queue('fixture-poison').getProperties()).approximateMessagesCount === 0 ? true : undefined,
      );
    });

    it('moves a message that is not valid base64 to the poison queue without calling the handler', async () => {
      expect(await waitFor('the echo poison queue', () => poisonMessages('fixture-echo'))).toEqual([invalidText]);
      expect(seen.echo).toHaveLength(echoSeenBefore);
    });
  });

  it('fires the timer on its %SETTING% schedule with a Timer object', async () => {
    const tick = await waitFor('a timer tick', () => ticks[0]);
    expect(tick.isPastDue).toBe(false);
    expect(tick.schedule).toEqual({ adjustForDST: true });
    expect(Date.parse(tick.scheduleStatus.next)).toBeGreaterThan(Date.parse(tick.scheduleStatus.lastUpdated));
  });

  it('waits for running handlers when it stops', async () => {
    await queue('fixture-slow').sendMessage(base64('"hold"'));
    await waitFor('the slow handler to start', () => (gate.started ? true : undefined));
    let stopped = false;
    const stopping = host.stop().then(() => {
      stopped = true;
    });
    // Give stop() every chance to finish early; it must not while the handler is held.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    gate.release();
    await stopping;
    expect(gate.finished).toBe(true);
  });
});
