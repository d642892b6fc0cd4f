import { QueueClient } from '@azure/storage-queue';
import { QUEUES, TABLES } from '../../shared/names';
import { CertificateStore } from '../../shared/storage/certificate-store';
import { type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/**
 * The poison path of the issuer job, through the host's own poison-queue function: a job message that failed
 * on every delivery fails its operation with the number of failed attempts the operation recorded. (The
 * poison message itself is new on its queue, so its dequeueCount is always 1: the count must not come from it.)
 */
let service: ServiceUnderTest;
let kv: RawClient;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
  expect((await kv.request('PUT', '/certificates/issuers/never-done', { provider: 'Test' })).status).toBe(200);
});

afterAll(async () => {
  await service?.stop();
});

it('fails the operation with the attempts it recorded and its last error, in words for the caller', async () => {
  const created = await kv.request('POST', '/certificates/poisoned/create', { policy: { x509_props: { subject: 'CN=poisoned' }, issuer: { name: 'never-done' } } });
  expect(created.status).toBe(202);
  const requestId = created.body.request_id as string;

  // The job's first run has asked the provider (Test answers "look again in an hour"), so nothing else writes the operation now.
  await eventually('the first job run', async () => ((await kv.request('GET', '/certificates/poisoned/pending')).body.issuer_job as { next_attempt?: number }).next_attempt);
  // Four failed deliveries since, as the job's queue function records them before handing the message back.
  const store = new CertificateStore(service.table(TABLES.certificates));
  const stored = await store.getOperation('poisoned');
  if (!stored) throw new Error('the operation was not stored');
  const lastError = 'The service failed while handling this request (an internal error, not the issuer); it will try again.';
  await store.putOperation({ ...stored.value, job: { ...stored.value.job, attempts: 4, maxAttempts: 8, lastError } }, stored.etag);

  // The host moved the message to the poison queue after its last delivery.
  const poison = new QueueClient(service.azurite.connectionString, QUEUES.issuerJobsPoison);
  await poison.createIfNotExists();
  await poison.sendMessage(Buffer.from(JSON.stringify({ name: 'poisoned', requestId }), 'utf8').toString('base64'));

  const ended = await eventually('the operation to fail', async () => {
    const r = await kv.request('GET', '/certificates/poisoned/pending');
    return r.body.status === 'failed' ? r.body : undefined;
  });
  expect(ended.error).toEqual({ code: 'CertificateIssuerError', message: `Issuance was abandoned after 4 failed attempts. The last one: ${lastError}` });
  expect(ended.issuer_job).toEqual({ attempts: 4, max_attempts: 8, last_attempt: expect.any(Number), last_error: lastError });
});
