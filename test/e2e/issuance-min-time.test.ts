import { CertificateClient, type CertificatePolicy } from '@azure/keyvault-certificates';
import { type RawClient, type RawResponse, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/**
 * ISSUANCE_MIN_SECONDS: issuance takes at least that long, so a caller sees `inProgress` as on Key Vault (where
 * even Self takes seconds), and can cancel, abandon and resume pollers meanwhile. The lower bound is what is
 * asserted: a completion seen N seconds after the create was sent is guaranteed however slow the machine is.
 * The tests run concurrently (names are unique) so the file waits out the minimum once, not once per test.
 */
const MIN_SECONDS = 3;

let service: ServiceUnderTest;
let kv: RawClient;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-min-${Date.now().toString(36)}-${++counter}`;
const selfPolicy = { x509_props: { subject: 'CN=min-time.example' }, issuer: { name: 'Self' } };
const sdkSelfPolicy: CertificatePolicy = { issuerName: 'Self', subject: 'CN=min-time.sdk.example' };
const fastPolling = { intervalInMs: 200 };

beforeAll(async () => {
  service = await startService({ ISSUANCE_MIN_SECONDS: String(MIN_SECONDS) });
  kv = rawClient(service.url, () => service.token());
});

afterAll(async () => {
  await service?.stop();
});

const certificates = () => new CertificateClient(service.url, service.credential, { allowInsecureConnection: true, disableChallengeResourceVerification: true });

/** Polls /pending until `status`, and says when the answer that showed it arrived. */
async function statusSeen(name: string, status: string): Promise<{ response: RawResponse; arrivedAt: number }> {
  return eventually(`${name} to be ${status}`, async () => {
    const response = await kv.request('GET', `/certificates/${name}/pending`);
    return response.body.status === status ? { response, arrivedAt: Date.now() } : undefined;
  });
}

it.concurrent(`keeps a Self operation inProgress for at least ${MIN_SECONDS} seconds, then completes it`, async () => {
  const name = uniqueName('raw');
  const sentAt = Date.now();
  const created = await kv.request('POST', `/certificates/${name}/create`, { policy: selfPolicy });
  expect(created.status).toBe(202);
  expect((await kv.request('GET', `/certificates/${name}/pending`)).body.status).toBe('inProgress');

  const { response, arrivedAt } = await statusSeen(name, 'completed');
  expect(arrivedAt - sentAt).toBeGreaterThanOrEqual(MIN_SECONDS * 1000);
  expect(response.body.target).toBe(`${service.url}/certificates/${name}`);
  expect((await kv.request('GET', `/certificates/${name}/`)).body.cer).toEqual(expect.any(String));
});

it.concurrent('ends a Self operation cancelled during that time as cancelled, with neither error nor status_details', async () => {
  const name = uniqueName('cancel');
  await kv.request('POST', `/certificates/${name}/create`, { policy: selfPolicy });
  const patched = await kv.request('PATCH', `/certificates/${name}/pending`, { cancellation_requested: true });
  // Self is asked through its job, like any issuer: the PATCH records the request, as Key Vault's does.
  expect(patched.body).toMatchObject({ status: 'inProgress', cancellation_requested: true });

  const { response } = await statusSeen(name, 'cancelled');
  expect(response.body).toMatchObject({ status: 'cancelled', cancellation_requested: true });
  expect(response.body).not.toHaveProperty('error');
  expect(response.body).not.toHaveProperty('status_details');
});

it.concurrent("lets the JS SDK's create poller see inProgress, be resumed from its serialized state, and finish", async () => {
  const name = uniqueName('sdk');
  const sentAt = Date.now();
  const poller = await certificates().beginCreateCertificate(name, sdkSelfPolicy, fastPolling);
  // The poller has read the operation once: still in progress, so it is not done.
  expect(poller.isDone()).toBe(false);
  expect(poller.getOperationState().isStarted).toBe(true);
  expect(poller.getOperationState().isCompleted).toBeFalsy();

  const resumed = await certificates().beginCreateCertificate(name, sdkSelfPolicy, { ...fastPolling, resumeFrom: poller.toString() });
  const certificate = await resumed.pollUntilDone();
  expect(Date.now() - sentAt).toBeGreaterThanOrEqual(MIN_SECONDS * 1000);
  expect(certificate.name).toBe(name);
  expect(certificate.cer?.length).toBeGreaterThan(0);
});

it.concurrent("lets the JS SDK cancel, after which getCertificateOperation returns the cancelled operation instead of throwing", async () => {
  const name = uniqueName('sdkc');
  const poller = await certificates().beginCreateCertificate(name, sdkSelfPolicy, fastPolling);
  await poller.cancelOperation();
  expect(poller.getOperationState().isCancelled).toBe(true);

  const operation = await eventually(`${name} to be cancelled`, async () => {
    const state = (await certificates().getCertificateOperation(name, fastPolling)).getOperationState();
    return state.certificateOperation?.status === 'cancelled' ? state : undefined;
  });
  expect(operation.isCompleted).toBe(true);
  expect(operation.certificateOperation).toMatchObject({ status: 'cancelled', cancellationRequested: true });
  expect(operation.certificateOperation?.error).toBeUndefined();
});
