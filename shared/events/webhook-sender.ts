import type { WebhookSubscription } from '../config';
import type { CertificateEvent } from './certificate-event';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureOf } from './webhook-signature';

/** Delivers one event to one destination; throws when it was not accepted, so the delivery is retried. */
export interface EventSender {
  send(event: CertificateEvent): Promise<void>;
}

/** A receiver that neither answers nor fails within this is treated as failed (and retried later). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs the event to a webhook as Event Grid delivers to one: a JSON array of events in the Event Grid
 * schema, with `aeg-event-type: Notification`, so a handler written for Event Grid's webhooks reads it; plus
 * the signature (webhook-signature.ts). Any 2xx is accepted; anything else, a timeout or a network error
 * fails the attempt. Redirects are not followed (the signature names one receiver).
 */
export function webhookSender(subscription: WebhookSubscription, fetchImpl: typeof fetch = fetch): EventSender {
  return {
    async send(event) {
      const body = JSON.stringify([event]);
      const response = await fetchImpl(subscription.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'aeg-event-type': 'Notification',
          [SIGNATURE_HEADER]: signatureOf(body, subscription.secret),
          [EVENT_ID_HEADER]: event.id,
          [EVENT_TYPE_HEADER]: event.eventType,
        },
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      // What the receiver said is not needed; reading it to the end frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status > 299) throw new Error(`webhook ${subscription.name} answered ${response.status}`);
    },
  };
}
