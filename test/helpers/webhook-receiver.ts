import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CertificateEvent } from '../../shared/events/certificate-event';
import { SIGNATURE_HEADER, verifySignature } from '../../shared/events/webhook-signature';

/** The secret the e2e files give their webhook subscriptions (EVENT_WEBHOOK_<n>_SECRET). */
export const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789';

export interface WebhookReceiver {
  url: string;
  /** Events accepted (2xx), in arrival order. */
  accepted: CertificateEvent[];
  /** Deliveries answered 500 (the receiver is "down" for its first `failures` deliveries). */
  refused: number;
  /** How many deliveries it refuses before accepting; raise or lower it to take the receiver down or up. */
  failures: number;
  /** Deliveries whose signature did not verify (answered 401); a test expects none. */
  badSignatures: number;
  close(): Promise<void>;
}

/**
 * A real local webhook receiver, as a user would write one: it checks the signature over the raw body before
 * parsing it, refuses its first `failures` deliveries with 500, then accepts.
 */
export async function startWebhookReceiver(failures = 0, secret = WEBHOOK_SECRET): Promise<WebhookReceiver> {
  const receiver = { accepted: [] as CertificateEvent[], refused: 0, badSignatures: 0, failures };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!verifySignature(body, secret, request.headers[SIGNATURE_HEADER] as string | undefined)) {
        receiver.badSignatures++;
        response.writeHead(401).end();
        return;
      }
      if (receiver.refused < receiver.failures) {
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
