import { certificateEvent } from '../../../shared/events/certificate-event';
import type { EventSender } from '../../../shared/events/webhook-sender';
import { type EventDelivery, type EventDeliveryContext, type FailedEventDelivery, certificateEventMessage, deliverEvent, eventDeliveryMessage, fanOutEvent } from '../../../shared/services/event-delivery';
import type { CertificateEvent } from '../../../shared/events/certificate-event';

const event = certificateEvent({
  kind: 'newVersionCreated',
  vaultUrl: 'https://v.example',
  version: { name: 'web', version: 'c'.repeat(32), notBefore: 1, expires: 2 },
  at: new Date('2026-01-01T00:00:00Z'),
});

/** A destination that fails its first `failures` attempts, then accepts. */
function flaky(failures: number): EventSender & { accepted: CertificateEvent[]; attempts: number } {
  const sender = {
    accepted: [] as CertificateEvent[],
    attempts: 0,
    send(e: CertificateEvent) {
      sender.attempts++;
      if (sender.attempts <= failures) return Promise.reject(new Error('answered 500'));
      sender.accepted.push(e);
      return Promise.resolve();
    },
  };
  return sender;
}

function deliveryContext(targets: Record<string, EventSender>, maxAttempts = 4) {
  const userQueue: CertificateEvent[] = [];
  const deliveries: { delivery: EventDelivery; delaySeconds?: number }[] = [];
  const failed: FailedEventDelivery[] = [];
  const ctx: EventDeliveryContext = {
    userQueue: { send: (e) => Promise.resolve(void userQueue.push(e)) },
    deliveries: { send: (delivery, options) => Promise.resolve(void deliveries.push({ delivery, ...options })) },
    failedDeliveries: { send: (f) => Promise.resolve(void failed.push(f)) },
    targets: new Map(Object.entries(targets)),
    retry: { maxAttempts, baseDelaySeconds: 10, maxDelaySeconds: 600 },
    random: () => 0.999,
  };
  /** Runs every waiting delivery as the delivery function would, until none is left; the delays it asked for. */
  async function drain(): Promise<number[]> {
    const delays: number[] = [];
    while (deliveries.length > 0) {
      const next = deliveries.shift();
      if (!next) break;
      if (next.delaySeconds !== undefined) delays.push(next.delaySeconds);
      await deliverEvent(ctx, next.delivery);
    }
    return delays;
  }
  return { ctx, userQueue, deliveries, failed, drain };
}

describe('event fan-out and delivery', () => {
  it('puts each event on the users queue and makes one delivery per destination', async () => {
    const t = deliveryContext({ 'webhook:1': flaky(0), 'webhook:2': flaky(0), eventGrid: flaky(0) });
    await expect(fanOutEvent(t.ctx, event)).resolves.toBe(3);
    expect(t.userQueue).toEqual([event]);
    expect(t.deliveries.map((d) => [d.delivery.target, d.delivery.attempt, d.delaySeconds])).toEqual([
      ['webhook:1', 1, undefined],
      ['webhook:2', 1, undefined],
      ['eventGrid', 1, undefined],
    ]);
  });

  it('with no subscriptions, still queues the event for users', async () => {
    const t = deliveryContext({});
    await fanOutEvent(t.ctx, event);
    expect(t.userQueue).toEqual([event]);
    expect(t.deliveries).toEqual([]);
  });

  it('retries a failing destination with growing delays until it accepts, once; the others are not held up or repeated', async () => {
    const down = flaky(2);
    const up = flaky(0);
    const t = deliveryContext({ 'webhook:down': down, 'webhook:up': up });
    await fanOutEvent(t.ctx, event);
    const delays = await t.drain();
    expect(up.accepted).toEqual([event]);
    expect(down.attempts).toBe(3);
    expect(down.accepted).toEqual([event]);
    // Full jitter under ceilings 10, 20 (random fixed near 1).
    expect(delays).toEqual([10, 20]);
    expect(t.failed).toEqual([]);
  });

  it('gives up after the last attempt and keeps the delivery with its last error', async () => {
    const dead = flaky(Infinity);
    const t = deliveryContext({ 'webhook:1': dead }, 3);
    await fanOutEvent(t.ctx, event);
    await t.drain();
    expect(dead.attempts).toBe(3);
    expect(t.failed).toEqual([{ event, target: 'webhook:1', attempt: 3, lastError: 'answered 500' }]);
  });

  it('drops a delivery whose subscription was removed from the settings since', async () => {
    const t = deliveryContext({});
    await expect(deliverEvent(t.ctx, { event, target: 'webhook:9', attempt: 1 })).resolves.toEqual({ outcome: 'noSuchTarget' });
  });

  it('throws when the retry cannot be written, so the host redelivers the attempt instead of losing it', async () => {
    const t = deliveryContext({ 'webhook:1': flaky(1) });
    t.ctx.deliveries = { send: () => Promise.reject(new Error('queue down')) };
    await expect(deliverEvent(t.ctx, { event, target: 'webhook:1', attempt: 1 })).rejects.toThrow('queue down');
  });
});

describe('the queue functions\' message schema', () => {
  it('keeps a near-expiry notice\'s contacts (an unnamed data member would be dropped on the way to every receiver)', () => {
    const notice = certificateEvent({
      kind: 'nearExpiry',
      vaultUrl: 'https://v.example',
      version: { name: 'web', version: 'c'.repeat(32), notBefore: 1, expires: 2 },
      at: new Date('2026-01-01T00:00:00Z'),
      occurrence: '2',
      contacts: [{ email: 'ops@contoso.example', name: 'Ops' }, { email: 'pki@contoso.example' }],
    });
    const parsed = eventDeliveryMessage.parse(JSON.parse(JSON.stringify({ event: notice, target: 'webhook:1', attempt: 1 })));
    expect(parsed.event).toEqual(notice);
    expect(parsed.event.data.Contacts).toEqual([{ email: 'ops@contoso.example', name: 'Ops' }, { email: 'pki@contoso.example' }]);
    expect(certificateEventMessage.parse(notice)).toEqual(notice);
  });
});
