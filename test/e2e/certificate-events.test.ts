import { dirname } from 'node:path';
import { CertificateClient } from '@azure/keyvault-certificates';
import { QueueClient } from '@azure/storage-queue';
import type { CertificateEvent } from '../../shared/events/certificate-event';
import { QUEUES } from '../../shared/names';
import { main as replayMain, replayFailedEvents } from '../../scripts/events-replay';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';
import { WEBHOOK_SECRET, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/**
 * Certificate events end to end: an SDK create completes, the event reaches the certificate-events queue a
 * user's function would read, and a real HTTP receiver that checks the signature gets it, through a failing
 * spell (500 twice) and once it recovers, exactly once. A second receiver is down for longer than the
 * deliveries' attempts: its deliveries end on the failed-deliveries queue, and `npm run events:replay` brings
 * them to it, once, after it recovers.
 */

let receiver: WebhookReceiver;
/** Down until the replay test brings it up: every delivery to it uses up its attempts. */
let downReceiver: WebhookReceiver;
let service: ServiceUnderTest;
let certificates: CertificateClient;

beforeAll(async () => {
  receiver = await startWebhookReceiver(2);
  downReceiver = await startWebhookReceiver(Number.POSITIVE_INFINITY);
  service = await startService({
    EVENT_WEBHOOK_1_URL: receiver.url,
    EVENT_WEBHOOK_1_SECRET: WEBHOOK_SECRET,
    EVENT_WEBHOOK_2_URL: downReceiver.url,
    EVENT_WEBHOOK_2_SECRET: WEBHOOK_SECRET,
    // Retries after 1 s each, so the failing spell lasts seconds, not the production minutes; three attempts,
    // enough for the first receiver (down for two) and not for the second.
    EVENT_DELIVERY_RETRY_BASE_SECONDS: '1',
    EVENT_DELIVERY_RETRY_MAX_DELAY_SECONDS: '1',
    EVENT_DELIVERY_MAX_ATTEMPTS: '3',
  });
  certificates = new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
});

afterAll(async () => {
  await service?.stop();
  await receiver?.close();
  await downReceiver?.close();
});

const fastPolling = { intervalInMs: 100 };

async function createSelfSigned(name: string) {
  const poller = await certificates.beginCreateCertificate(name, { issuerName: 'Self', subject: `CN=${name}` }, fastPolling);
  return poller.pollUntilDone();
}

it('puts CertificateNewVersionCreated on the certificate-events queue when an SDK create completes', async () => {
  const certificate = await createSelfSigned('queued');
  const queue = new QueueClient(service.azurite.connectionString, QUEUES.certificateEvents);
  const event = await eventually('the event on the certificate-events queue', async () => {
    if (!(await queue.exists())) return undefined;
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
    const events = peekedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as CertificateEvent);
    return events.find((e) => e.subject === 'queued');
  });
  expect(event).toMatchObject({
    eventType: 'Microsoft.KeyVault.CertificateNewVersionCreated',
    data: {
      ObjectType: 'Certificate',
      ObjectName: 'queued',
      Version: certificate.properties.version,
      NBF: Math.floor((certificate.properties.notBefore?.getTime() ?? NaN) / 1000),
      EXP: Math.floor((certificate.properties.expiresOn?.getTime() ?? NaN) / 1000),
    },
    dataVersion: '1',
    metadataVersion: '1',
  });
});

it('delivers to a signed webhook through its failures, and once it recovers, each event exactly once', async () => {
  // The first test's event has been failing against this receiver meanwhile (twice 500), then gets through.
  const first = await eventually('the first event accepted', async () => receiver.accepted.find((e) => e.subject === 'queued'), 30_000);
  expect(receiver.refused).toBe(2);
  // A later event arrives once, and by then the first has had every chance to be repeated.
  await createSelfSigned('after-recovery');
  await eventually('the later event accepted', async () => receiver.accepted.find((e) => e.subject === 'after-recovery'), 30_000);
  expect(receiver.accepted.filter((e) => e.id === first.id)).toHaveLength(1);
  expect(receiver.accepted.map((e) => e.subject).sort()).toEqual(['after-recovery', 'queued']);
  expect(receiver.badSignatures).toBe(0);
});

it('keeps the deliveries a receiver missed, lists them with --dry-run, and replays them once it is back', async () => {
  const queue = (name: string) => new QueueClient(service.azurite.connectionString, name);
  const failedQueue = queue(QUEUES.certificateEventDeliveriesFailed);
  const kept = await eventually(
    'both events\' deliveries to the down receiver on the failed-deliveries queue',
    async () => {
      if (!(await failedQueue.exists())) return undefined;
      const { peekedMessageItems } = await failedQueue.peekMessages({ numberOfMessages: 32 });
      const failed = peekedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')) as { event: CertificateEvent; target: string; attempt: number; lastError: string });
      return failed.length >= 2 ? failed : undefined;
    },
    30_000,
  );
  expect(kept.map((f) => [f.event.subject, f.target, f.attempt]).sort()).toEqual([
    ['after-recovery', 'webhook:2', 3],
    ['queued', 'webhook:2', 3],
  ]);
  expect(kept[0]?.lastError).toMatch(/500/);
  expect(downReceiver.refused).toBe(6);

  // --dry-run through the command's own entry point: it names them and moves nothing.
  const printed: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
  try {
    expect(await replayMain(['--dry-run'], { CertStorage: service.azurite.connectionString }, dirname(service.keyFile))).toBe(0);
  } finally {
    write.mockRestore();
  }
  expect(printed.join('')).toMatch(/^Would replay 2 event deliveries from http:\/\/127\.0\.0\.1:\d+\/\w+:\n/);
  for (const failed of kept) expect(printed.join('')).toContain(`${failed.event.id} Microsoft.KeyVault.CertificateNewVersionCreated ${failed.event.subject} to webhook:2`);
  expect((await failedQueue.getProperties()).approximateMessagesCount).toBe(2);
  expect(downReceiver.accepted).toEqual([]);

  // The receiver is fixed; the operator replays its deliveries. Each arrives once, signed; nothing is left.
  downReceiver.failures = 0;
  const report = await replayFailedEvents(queue, { dryRun: false, target: 'webhook:2' });
  expect(report).toMatchObject({ leftInPlace: 0, unreadable: [] });
  expect(report.replayed.map((r) => r.subject).sort()).toEqual(['after-recovery', 'queued']);
  await eventually('the replayed events accepted', async () => (downReceiver.accepted.length >= 2 ? true : undefined), 30_000);
  expect(downReceiver.accepted.map((e) => e.id).sort()).toEqual(kept.map((f) => f.event.id).sort());
  expect(downReceiver.badSignatures).toBe(0);
  expect((await failedQueue.getProperties()).approximateMessagesCount).toBe(0);
  expect((await replayFailedEvents(queue, { dryRun: false })).replayed).toEqual([]);
  // The first receiver had them already and got nothing again: a replay goes only where delivery failed.
  expect(receiver.accepted.map((e) => e.subject).sort()).toEqual(['after-recovery', 'queued']);
});
