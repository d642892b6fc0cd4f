import { z } from 'zod';
import { CERTIFICATE_EVENT_TYPES, type CertificateEvent } from '../events/certificate-event';
import type { EventSender } from '../events/webhook-sender';
import { type RetryPolicy, retryDelaySeconds } from '../domain/retry-backoff';

/**
 * The second half of an event's way out, off every request's path: the fan-out takes each event from the
 * outbox to the users' queue and to one delivery message per destination; each delivery then has its own
 * attempts, so a receiver that is down delays only itself (docs/events.md).
 */

/** One event on its way to one destination (`webhook:1`, `eventGrid`): the delivery queue's message. */
export interface EventDelivery {
  event: CertificateEvent;
  target: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/** A delivery that failed every attempt, as it is kept on the failed-deliveries queue. */
export interface FailedEventDelivery extends EventDelivery {
  lastError: string;
}

export interface EventDeliveryContext {
  /** The certificate-events queue, for users' own functions. */
  userQueue: { send(event: CertificateEvent): Promise<void> };
  deliveries: { send(delivery: EventDelivery, options?: { delaySeconds?: number }): Promise<void> };
  failedDeliveries: { send(failed: FailedEventDelivery): Promise<void> };
  /** The destinations by target name; built from the settings (EVENT_WEBHOOK_n_*, EVENT_GRID_TOPIC_ENDPOINT). */
  targets: ReadonlyMap<string, EventSender>;
  retry: RetryPolicy;
  /** [0, 1): the jitter of retry delays. */
  random: () => number;
}

/**
 * The users' queue first, then a delivery per destination. Throwing hands the outbox message back for
 * another run, which writes again what was already written: at-least-once, with the same event id, which
 * receivers use to drop repeats.
 */
export async function fanOutEvent(ctx: EventDeliveryContext, event: CertificateEvent): Promise<number> {
  await ctx.userQueue.send(event);
  for (const target of ctx.targets.keys()) await ctx.deliveries.send({ event, target, attempt: 1 });
  return ctx.targets.size;
}

export type DeliveryOutcome = 'delivered' | 'retrying' | 'gaveUp' | 'noSuchTarget';

/**
 * One attempt. A failed one is retried by a new message that becomes visible after an exponential backoff
 * with jitter (the host's own redelivery would come back after a fixed few seconds); after the last
 * attempt the delivery goes to the failed-deliveries queue. Throws only when the queue write fails, which
 * hands this message back to the host to try again.
 */
export async function deliverEvent(ctx: EventDeliveryContext, delivery: EventDelivery): Promise<{ outcome: DeliveryOutcome; error?: string }> {
  const sender = ctx.targets.get(delivery.target);
  // Its subscription was removed from the settings since: nobody is waiting for it any more.
  if (!sender) return { outcome: 'noSuchTarget' };
  try {
    await sender.send(delivery.event);
    return { outcome: 'delivered' };
  } catch (failure) {
    const error = failure instanceof Error ? failure.message : String(failure);
    if (delivery.attempt >= ctx.retry.maxAttempts) {
      await ctx.failedDeliveries.send({ ...delivery, lastError: error });
      return { outcome: 'gaveUp', error };
    }
    const delaySeconds = retryDelaySeconds(ctx.retry, delivery.attempt, ctx.random);
    await ctx.deliveries.send({ ...delivery, attempt: delivery.attempt + 1 }, { delaySeconds });
    return { outcome: 'retrying', error };
  }
}

/** What the queue functions accept: the event as this app writes it, checked before it is sent anywhere. */
export const certificateEventMessage = z.object({
  id: z.string().min(1),
  topic: z.string(),
  subject: z.string().min(1),
  eventType: z.enum(Object.values(CERTIFICATE_EVENT_TYPES)),
  eventTime: z.string(),
  data: z.object({
    Id: z.string(),
    VaultName: z.string(),
    ObjectType: z.literal('Certificate'),
    ObjectName: z.string(),
    Version: z.string(),
    NBF: z.number(),
    EXP: z.number(),
    Error: z.object({ code: z.string(), message: z.string() }).optional(),
    // Checked, not stripped: an object schema drops what it does not name, and the contacts are the point of a notice.
    Contacts: z.array(z.object({ email: z.string(), name: z.string().optional(), phone: z.string().optional() })).optional(),
  }),
  dataVersion: z.literal('1'),
  metadataVersion: z.literal('1'),
});

export const eventDeliveryMessage = z.object({ event: certificateEventMessage, target: z.string().min(1), attempt: z.number().int().positive() });
