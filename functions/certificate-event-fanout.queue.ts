import { app, type InvocationContext } from '@azure/functions';
import { getApp } from '../shared/composition';
import { QUEUES, STORAGE_CONNECTION } from '../shared/names';
import { certificateEventMessage, fanOutEvent } from '../shared/services/event-delivery';
import { log } from './logging/log';

/**
 * Takes each certificate event from the outbox to the certificate-events queue (users' own functions) and to
 * one delivery message per webhook and topic. A failure hands the message back to the host, which tries
 * again (host.json) and, after maxDequeueCount, leaves it on certificate-events-outbox-poison for an operator.
 */
async function certificateEventFanout(message: unknown, context: InvocationContext): Promise<void> {
  const parsed = certificateEventMessage.safeParse(message);
  if (!parsed.success) {
    context.warn(`Dropped a malformed certificate event: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return;
  }
  const { eventDelivery } = await getApp();
  const deliveries = await fanOutEvent(eventDelivery, parsed.data);
  log(context, 'debug', `Certificate event ${parsed.data.eventType} ${parsed.data.id} for ${parsed.data.subject}: queued, and ${deliveries} deliveries`);
}

app.storageQueue('certificateEventFanout', {
  queueName: QUEUES.certificateEventsOutbox,
  connection: STORAGE_CONNECTION,
  handler: certificateEventFanout,
});
