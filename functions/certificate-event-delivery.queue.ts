import { app, type InvocationContext } from '@azure/functions';
import { getApp } from '../shared/composition';
import { QUEUES, STORAGE_CONNECTION } from '../shared/names';
import { deliverEvent, eventDeliveryMessage } from '../shared/services/event-delivery';
import { log } from './logging/log';

/**
 * One attempt to deliver one event to one webhook or topic. A failed attempt is retried with backoff by a
 * new, delayed message (shared/services/event-delivery.ts), so this returns normally; it throws only when
 * that write fails, and the host then redelivers this message.
 */
async function certificateEventDelivery(message: unknown, context: InvocationContext): Promise<void> {
  const parsed = eventDeliveryMessage.safeParse(message);
  if (!parsed.success) {
    context.warn(`Dropped a malformed event delivery: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return;
  }
  const { eventDelivery } = await getApp();
  const { event, target, attempt } = parsed.data;
  const { outcome, error } = await deliverEvent(eventDelivery, parsed.data);
  const what = `Event ${event.id} (${event.eventType}) to ${target}, attempt ${attempt}`;
  if (outcome === 'delivered') log(context, 'debug', `${what}: delivered`);
  else if (outcome === 'retrying') log(context, 'warn', `${what} failed (${error}); retried later`);
  else if (outcome === 'gaveUp') log(context, 'error', `${what} failed (${error}); no attempts left, kept on ${QUEUES.certificateEventDeliveriesFailed}`);
  else log(context, 'info', `${what}: dropped, ${target} is no longer configured`);
}

app.storageQueue('certificateEventDelivery', {
  queueName: QUEUES.certificateEventDeliveries,
  connection: STORAGE_CONNECTION,
  handler: certificateEventDelivery,
});
