import { request as httpRequest } from 'node:http';
import { API_VERSION, type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * Input limits, enforced before work (issue 11): a body too large is refused from its declared length or as it
 * streams, a request without a token is answered without its body being read, and every field is bounded.
 */
let service: ServiceUnderTest;
let kv: RawClient;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
});
afterAll(() => service?.stop());

interface PartialAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Bytes of the body the client had written when the answer came. */
  sent: number;
}

/**
 * Sends the headers and `send` bytes of a body, then waits for the answer without finishing the body: an
 * answer proves the service decided without reading the rest (it cannot have read what was never sent).
 * `chunked` sends no Content-Length.
 */
function answerBeforeBodyEnds(
  path: string,
  options: { token?: string; declaredLength?: number; send: number; chunkBytes?: number },
): Promise<PartialAnswer> {
  const url = new URL(`${service.url}${path}?api-version=${API_VERSION}`);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.declaredLength !== undefined ? { 'content-length': String(options.declaredLength) } : { 'transfer-encoding': 'chunked' }),
        },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, sent });
        });
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(options.chunkBytes ?? 64 * 1024, 'a');
    const writeMore = (): void => {
      while (!answered && sent < options.send) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.send - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', writeMore);
          return;
        }
      }
    };
    req.flushHeaders();
    writeMore();
  });
}

describe('request body limit', () => {
  it('refuses a body declared larger than 1 MiB with 413 in Key Vault envelope, before it is sent', async () => {
    const answer = await answerBeforeBodyEnds('/certificates/big/create', { token: await service.token(), declaredLength: 20 * 1024 * 1024, send: 0 });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ error: { code: 'RequestBodyTooLarge', message: expect.stringContaining('1048576 bytes') } });
  });

  it('refuses a chunked body once it passes 1 MiB, without waiting for its end', async () => {
    // 8 MiB are offered; the answer comes once a little over 1 MiB has arrived (the client stops at the answer).
    const answer = await answerBeforeBodyEnds('/certificates/big/import', { token: await service.token(), send: 8 * 1024 * 1024 });
    expect(answer.status).toBe(413);
    expect((answer.body.error as { code: string }).code).toBe('RequestBodyTooLarge');
    expect(answer.sent).toBeLessThan(8 * 1024 * 1024);
  });

  it('answers a request without a token 401 without reading its body', async () => {
    const answer = await answerBeforeBodyEnds('/certificates/big/create', { declaredLength: 95 * 1024 * 1024, send: 1024 });
    expect(answer.status).toBe(401);
    expect(answer.sent).toBe(1024);
  });

  it('refuses a body declared larger than the host takes (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT) before any function runs', async () => {
    const answer = await answerBeforeBodyEnds('/certificates/big/create', { declaredLength: 200 * 1024 * 1024, send: 0 });
    expect(answer.status).toBe(413);
    expect((answer.body.error as { code: string }).code).toBe('RequestBodyTooLarge');
  });

  it('keeps the connection usable after a 401 whose body was never read', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const refused = await fetch(`${service.url}/certificates/big/create?api-version=${API_VERSION}`, { method: 'POST', body: big });
    expect(refused.status).toBe(401);
    expect((await kv.request('GET', '/certificates/never-there')).status).toBe(404);
  });

  it('lets restore take a backup blob larger than 1 MiB (its own limit), and judges the blob itself', async () => {
    const response = await kv.request('POST', '/certificates/restore', { value: 'A'.repeat(2 * 1024 * 1024) });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'BadParameter', message: 'Backup blob contains invalid or corrupt version.' } });
  });
});
