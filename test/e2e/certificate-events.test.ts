import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CertificateClient } from '@azure/keyvault-certificates';
import { QueueClient } from '@azure/storage-queue';
import type { CertificateEvent } from '../../shared/events/certificate-event';
import { SIGNATURE_HEADER, verifySignature } from '../../shared/events/webhook-signature';
import { QUEUES } from '../../shared/names';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/**
 * Certificate events end to end: an SDK create completes, the event reaches the certificate-events queue a
 * user's function would read, and a real HTTP receiver that checks the signature gets it, through a failing
 * spell (500 twice) and once it recovers, exactly once.
 */
const SECRET = 'e2e-webhook-secret-0123456789';

interface Receiver {
  url: string;
  /** Events accepted (2xx), in arrival order; a delivery with a bad signature fails the test instead. */
  accepted: CertificateEvent[];
  /** Deliveries answered 500 (the receiver is "down" for its first `failures` deliveries). */
  refused: number;
  badSignatures: number;
  close(): Promise<void>;
}

async function startReceiver(failures: number): Promise<Receiver> {
  const receiver = { accepted: [] as CertificateEvent[], refused: 0, badSignatures: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      // What a receiver must do first: check the signature over the raw body, before parsing it.
      if (!verifySignature(body, SECRET, request.headers[SIGNATURE_HEADER] as string | undefined)) {
        receiver.badSignatures++;
        response.writeHead(401).end();
        return;
      }
      if (receiver.refused < failures) {
        receiver.refused++;
        response.writeHead(500).end();
        return;
      }
      receiver.accepted.push(...(JSON.parse(body.toString('utf8')) as CertificateEvent[]));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

let receiver: Receiver;
let service: ServiceUnderTest;
let certificates: CertificateClient;

beforeAll(async () => {
  receiver = await startReceiver(2);
  service = await startService({
    EVENT_WEBHOOK_1_URL: receiver.url,
    EVENT_WEBHOOK_1_SECRET: SECRET,
    // Retries after 1 s each, so the failing spell lasts seconds, not the production minutes.
    EVENT_DELIVERY_RETRY_BASE_SECONDS: '1',
    EVENT_DELIVERY_RETRY_MAX_DELAY_SECONDS: '1',
  });
  certificates = new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
});

afterAll(async () => {
  await service?.stop();
  await receiver?.close();
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
