import type { TokenCredential } from '@azure/identity';
import type { EventGridPublisherClient } from '@azure/eventgrid';
import { azureEventGrid } from '../lazy-packages';
import type { EventSender } from './webhook-sender';

/**
 * Publishes to an Event Grid custom topic in the Event Grid schema with the app's identity (the topic's
 * access keys are never used; infra grants the identity `EventGrid Data Sender`). The SDK is loaded on the
 * first event, so an app without a topic never loads it. `topic` is left out: Event Grid sets it to the
 * custom topic's resource id (a value of ours would be refused as not matching).
 */
export function eventGridTopicSender(endpoint: string, credential: TokenCredential): EventSender {
  let client: EventGridPublisherClient<'EventGrid'> | undefined;
  return {
    async send(event) {
      if (!client) {
        const sdk = azureEventGrid();
        client = new sdk.EventGridPublisherClient(endpoint, 'EventGrid', credential);
      }
      const { id, subject, eventType, eventTime, data, dataVersion } = event;
      await client.send([{ id, subject, eventType, eventTime: new Date(eventTime), data, dataVersion }]);
    },
  };
}
