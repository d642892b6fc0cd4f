import { operationToWire } from '../../../shared/api/wire/certificate-operation.wire';
import { KeyDecryptionError } from '../../../shared/crypto/key-encryption';
import type { JsonValue } from '../../../shared/domain/json-value';
import type { PendingOperation } from '../../../shared/domain/pending-operation';
import {
  type CancellationStep,
  type IssuanceRequest,
  type IssuanceStep,
  type IssuerProvider,
  type ProviderState,
  requestRejected,
} from '../../../shared/issuers/issuer-provider';
import { ProviderRegistry } from '../../../shared/issuers/provider-registry';
import { selfSignedProvider } from '../../../shared/issuers/self-signed-provider';
import { testProvider } from '../../../shared/issuers/test-provider';
import { createCertificate } from '../../../shared/services/create-certificate';
import { setIssuer } from '../../../shared/services/issuer-objects';
import { JOB_ERROR_FOR_CALLERS, failPoisonedJob, recordJobFailure, runIssuerJob } from '../../../shared/services/issuer-job';
import { getPendingOperation, requestCancellation } from '../../../shared/services/pending-operations';
import { openProviderState } from '../../../shared/services/provider-state';
import type { ServiceContext } from '../../../shared/services/service-context';
import { sweepStatuses } from '../../../shared/services/status-sweep';
import type { IssuerJob, JobQueue } from '../../../shared/storage/repositories';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

const VAULT = 'https://vault.example';

/**
 * A provider driven by the test: each call takes the next scripted answer (a function of the request and
 * state, so it may throw). It records every call, which is what the tests count.
 */
function scriptedProvider() {
  const calls: { method: 'start' | 'poll' | 'cancel'; state?: ProviderState }[] = [];
  const script: { start: Scripted<IssuanceStep>[]; poll: Scripted<IssuanceStep>[]; cancel: Scripted<CancellationStep>[] } = { start: [], poll: [], cancel: [] };
  const next = <T>(queue: Scripted<T>[], method: string, request: IssuanceRequest, state?: ProviderState): Promise<T> => {
    const answer = queue.shift();
    if (!answer) throw new Error(`the test scripted no answer for this ${method}`);
    return answer(request, state);
  };
  const provider: IssuerProvider = {
    name: 'Scripted',
    start: (request) => (calls.push({ method: 'start' }), next(script.start, 'start', request)),
    poll: (request, state) => (calls.push({ method: 'poll', state }), next(script.poll, 'poll', request, state)),
    cancel: (request, state) => (calls.push({ method: 'cancel', state }), next(script.cancel, 'cancel', request, state)),
  };
  return { provider, calls, script };
}
type Scripted<T> = (request: IssuanceRequest, state?: ProviderState) => Promise<T>;

const answer =
  <T>(step: T): Scripted<T> =>
  async () =>
    step;
const fails =
  (message: string): Scripted<never> =>
  async () => {
    throw new Error(message);
  };
/** The certificate a real CA would return for the request: here signed by the request's own key. */
const issues: Scripted<IssuanceStep> = (request) => selfSignedProvider().start(request);

async function setupWith(overrides: Partial<ServiceContext> = {}) {
  const clock = manualClock();
  const scripted = scriptedProvider();
  const sent: { job: IssuerJob; delaySeconds: number }[] = [];
  const diagnostics: string[] = [];
  const base = memoryServiceContext({
    clock,
    providers: new ProviderRegistry({ builtInIssuers: [selfSignedProvider()], available: [testProvider(), scripted.provider], unavailable: [] }),
    issuerRetry: { maxAttempts: 4, baseDelaySeconds: 2, maxDelaySeconds: 10 },
    // The top of each jitter range, so the test sees the ceilings grow; the range itself is retry-backoff's test.
    random: () => 0.9999,
    ...overrides,
  });
  const queue: JobQueue = {
    async enqueue(job, options = {}) {
      sent.push({ job, delaySeconds: options.delaySeconds ?? 0 });
      await base.storage.jobs.enqueue(job, options);
    },
  };
  const ctx: ServiceContext = { ...base.ctx, jobs: queue };
  await setIssuer(ctx, 'corp', { provider: 'Scripted' });
  const op = await createCertificate(ctx, 'web', { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=web' }, issuer: { name: 'corp' } } });
  const [job] = await base.takeJobs();
  if (!job) throw new Error('create queued no job');
  sent.length = 0;
  /** Runs what the queue would deliver now, as the queue trigger does. */
  const deliver = async () => Promise.all((await base.takeJobs()).map((j) => runIssuerJob(ctx, j, (m) => diagnostics.push(m))));
  const run = () => runIssuerJob(ctx, job, (m) => diagnostics.push(m));
  const wire = async () => operationToWire(VAULT, await getPendingOperation(ctx, 'web')) as { status: string; error?: unknown; issuer_job: Record<string, unknown> };
  const stored = async (): Promise<PendingOperation> => {
    const row = await ctx.certificates.getOperation('web');
    if (!row) throw new Error('no operation');
    return row.value;
  };
  return { ctx, clock, job, op, sent, diagnostics, deliver, discard: () => base.takeJobs(), run, wire, stored, ...scripted };
}

describe('the issuer job with a long-running provider', () => {
  it('starts, keeps the state the provider returned, polls it when asked to, and completes with the chain', async () => {
    const t = await setupWith();
    const started: ProviderState = { data: { order: 'https://ca.example/order/1', authorizations: ['https://ca.example/authz/1'] } };
    t.script.start.push(answer({ kind: 'pending', state: started, retryAfterSeconds: 30 }));
    expect(await t.run()).toBe('pending');
    // The job puts itself back on the queue for when the provider asked, instead of sleeping.
    expect(t.sent).toEqual([{ job: t.job, delaySeconds: 30 }]);
    expect((await t.stored()).providerState).toEqual({ data: started.data });
    expect((await t.wire()).issuer_job).toEqual({ attempts: 0, last_attempt: expect.any(Number), next_attempt: (await t.stored()).job.lastAttemptOn! + 30 });

    // Nothing is due before then.
    t.clock.advance(29);
    expect(await t.deliver()).toEqual([]);
    const polled: ProviderState = { data: { order: 'https://ca.example/order/1', status: 'processing' } };
    t.script.poll.push(answer({ kind: 'pending', state: polled, retryAfterSeconds: 5 }), issues);
    t.clock.advance(1);
    expect(await t.deliver()).toEqual(['pending']);
    t.clock.advance(5);
    expect(await t.deliver()).toEqual(['issued']);

    // Each poll was handed the state the call before it returned.
    expect(t.calls).toEqual([{ method: 'start' }, { method: 'poll', state: started }, { method: 'poll', state: polled }]);
    const done = await getPendingOperation(t.ctx, 'web');
    expect(done.status).toBe('completed');
    expect(await t.ctx.certificates.getVersion('web', t.op.version)).toBeDefined();
  });

  it('seals the secret part of the state, bound to this operation, and hands it back to the provider opened', async () => {
    const t = await setupWith();
    const secret: JsonValue = { accountKey: '-----BEGIN PRIVATE KEY-----MIIsecret', keyAuthorization: 'token.thumbprint' };
    t.script.start.push(answer({ kind: 'pending', state: { data: { order: 'o-1' }, secret }, retryAfterSeconds: 1 }));
    await t.run();

    const row = await t.stored();
    const atRest = JSON.stringify(row);
    expect(atRest).not.toContain('MIIsecret');
    expect(atRest).not.toContain('token.thumbprint');
    expect(row.providerState).toEqual({ data: { order: 'o-1' }, sealedSecret: expect.stringMatching(/^v1\./) });
    // Bound to the operation: the same sealed text on another request's row does not open.
    expect(() => openProviderState(t.ctx.keyEncryptionKey, { name: 'web', requestId: 'another-request' }, row.providerState!)).toThrow(KeyDecryptionError);
    // Nor is it shown to the caller.
    expect(JSON.stringify(await t.wire())).not.toContain('order');

    t.script.poll.push(issues);
    t.clock.advance(1);
    expect(await t.deliver()).toEqual(['issued']);
    expect(t.calls[1]).toEqual({ method: 'poll', state: { data: { order: 'o-1' }, secret } });
  });

  it('asks the provider to cancel, with its state, and ends cancelled once it has', async () => {
    const t = await setupWith();
    t.script.start.push(answer({ kind: 'pending', state: { data: { order: 'o-2' } }, retryAfterSeconds: 600 }));
    await t.run();

    const answered = await requestCancellation(t.ctx, 'web');
    expect(answered).toMatchObject({ status: 'inProgress', cancellationRequested: true });
    // Winding down takes the issuer a moment: the job comes back, still cancelling.
    t.script.cancel.push(answer({ kind: 'pending', state: { data: { order: 'o-2', deactivating: true } }, retryAfterSeconds: 3 }), answer({ kind: 'cancelled' }));
    expect(await t.deliver()).toEqual(['pending']);
    expect((await getPendingOperation(t.ctx, 'web')).status).toBe('inProgress');
    t.clock.advance(3);
    expect(await t.deliver()).toEqual(['cancelled']);

    expect(t.calls.map((c) => c.method)).toEqual(['start', 'cancel', 'cancel']);
    expect(t.calls[1]?.state).toEqual({ data: { order: 'o-2' } });
    expect(t.calls[2]?.state).toEqual({ data: { order: 'o-2', deactivating: true } });
    const ended = await getPendingOperation(t.ctx, 'web');
    expect(ended.status).toBe('cancelled');
    expect(ended).not.toHaveProperty('error');
  });

  it('a cancellation that arrives while the provider is being called waits for that call, then cancels with the state it answered', async () => {
    const t = await setupWith();
    let answerStart: (step: IssuanceStep) => void = () => undefined;
    t.script.start.push(() => new Promise<IssuanceStep>((resolve) => (answerStart = resolve)));
    const running = t.run();
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.calls.map((c) => c.method)).toEqual(['start']);

    await requestCancellation(t.ctx, 'web');
    // The cancellation's own message comes while the call is under way: it must not cancel a state about to change.
    expect(await t.deliver()).toEqual(['notDue']);
    expect(t.calls.map((c) => c.method)).toEqual(['start']);

    // The call ends with an order placed at the CA; the run keeps it and brings the cancellation back at once.
    answerStart({ kind: 'pending', state: { data: { order: 'o-9' } }, retryAfterSeconds: 600 });
    expect(await running).toBe('pending');
    expect(t.sent.at(-1)?.delaySeconds).toBe(0);
    t.script.cancel.push(answer({ kind: 'cancelled' }));
    expect(await t.deliver()).toEqual(['cancelled']);
    expect(t.calls.map((c) => c.method)).toEqual(['start', 'cancel']);
    expect(t.calls[1]?.state).toEqual({ data: { order: 'o-9' } });
  });

  it('ends cancelled without calling the provider when it had not started', async () => {
    const t = await setupWith();
    await requestCancellation(t.ctx, 'web');
    expect(await t.run()).toBe('cancelled');
    expect(t.calls).toEqual([]);
  });

  it('retries a transient failure with growing delays, showing the retry state on the operation between attempts', async () => {
    const t = await setupWith();
    t.script.start.push(
      fails('connect ECONNREFUSED 10.1.2.3:443 at TableClient.internal'),
      answer({ kind: 'retry', message: 'The ACME directory https://acme.example/directory did not answer within 30 seconds.' }),
      answer({ kind: 'retry', message: 'The ACME directory https://acme.example/directory answered 503 Service Unavailable.' }),
      answer({ kind: 'pending', state: { data: { order: 'o-3' } }, retryAfterSeconds: 60 }),
    );
    expect(await t.run()).toBe('retrying');
    const first = (await t.wire()).issuer_job;
    expect(first).toEqual({
      attempts: 1,
      max_attempts: 4,
      last_attempt: expect.any(Number),
      next_attempt: (first.last_attempt as number) + 2,
      // What a provider throws may be anything: the caller gets a plain sentence, the log gets the detail.
      last_error: "The issuer 'corp' could not be reached or failed unexpectedly; the request will be retried.",
    });
    expect(JSON.stringify(await t.wire())).not.toContain('ECONNREFUSED');
    expect(t.diagnostics).toEqual([expect.stringContaining('connect ECONNREFUSED 10.1.2.3:443')]);

    t.clock.advance(1);
    expect(await t.deliver()).toEqual([]);
    t.clock.advance(1);
    expect(await t.deliver()).toEqual(['retrying']);
    expect((await t.wire()).issuer_job).toMatchObject({ attempts: 2, last_error: 'The ACME directory https://acme.example/directory did not answer within 30 seconds.' });
    t.clock.advance(4);
    expect(await t.deliver()).toEqual(['retrying']);
    expect((await t.wire()).issuer_job).toMatchObject({ attempts: 3, last_error: 'The ACME directory https://acme.example/directory answered 503 Service Unavailable.' });
    t.clock.advance(8);
    expect(await t.deliver()).toEqual(['pending']);

    // Exponential ceilings 2, 4, 8 (then the provider's own 60 s); the request is still in progress, the
    // failures in a row start over once the issuer answered, and the last error is gone with them.
    expect(t.sent.map((s) => s.delaySeconds)).toEqual([2, 4, 8, 60]);
    expect((await t.wire()).issuer_job).toEqual({ attempts: 0, last_attempt: expect.any(Number), next_attempt: expect.any(Number) });
    expect((await t.wire()).status).toBe('inProgress');
  });

  it('caps the delay at the maximum and fails the operation with the true count once the attempts are spent', async () => {
    const t = await setupWith({ issuerRetry: { maxAttempts: 5, baseDelaySeconds: 4, maxDelaySeconds: 10 } });
    const unreachable = 'The ACME directory https://acme.example/directory could not be reached (connection refused).';
    for (let i = 0; i < 5; i++) t.script.start.push(answer({ kind: 'retry', message: unreachable }));
    expect(await t.run()).toBe('retrying');
    for (let i = 0; i < 3; i++) {
      t.clock.advance(10);
      expect(await t.deliver()).toEqual(['retrying']);
    }
    t.clock.advance(10);
    expect(await t.deliver()).toEqual(['failed']);
    expect(t.sent.map((s) => s.delaySeconds)).toEqual([4, 8, 10, 10]);

    const ended = await t.wire();
    expect(ended).toMatchObject({
      status: 'failed',
      error: { code: 'CertificateIssuerError', message: `Issuance was abandoned after 5 failed attempts. The last one: ${unreachable}` },
    });
    expect(ended.issuer_job).toEqual({ attempts: 5, max_attempts: 5, last_attempt: expect.any(Number), last_error: unreachable });
    expect(t.calls).toHaveLength(5);
  });

  it("tells an issuer's failure from a rejected request by the error code", async () => {
    const rejected = await setupWith();
    rejected.script.start.push(answer(requestRejected("The CA will not issue for 'web.internal': urn:ietf:params:acme:error:rejectedIdentifier")));
    expect(await rejected.run()).toBe('failed');
    expect((await rejected.wire()).error).toEqual({
      code: 'RequestRejected',
      message: "The CA will not issue for 'web.internal': urn:ietf:params:acme:error:rejectedIdentifier",
    });

    const broken = await setupWith();
    broken.script.start.push(answer({ kind: 'failed', code: 'CertificateIssuerError', message: 'The CA certificate of issuer corp has expired.' }));
    expect(await broken.run()).toBe('failed');
    expect((await broken.wire()).error).toEqual({ code: 'CertificateIssuerError', message: 'The CA certificate of issuer corp has expired.' });
  });

  it('starts the provider once when its message is delivered twice, one after the other or at the same time', async () => {
    const t = await setupWith();
    t.script.start.push(answer({ kind: 'pending', state: { data: { order: 'o-4' } }, retryAfterSeconds: 30 }));
    expect(await t.run()).toBe('pending');
    // The duplicate finds the state, and that the next look is not due: nothing to do.
    expect(await t.run()).toBe('notDue');

    const twice = await setupWith();
    twice.script.start.push(answer({ kind: 'pending', state: { data: { order: 'o-5' } }, retryAfterSeconds: 30 }));
    const outcomes = await Promise.all([twice.run(), twice.run()]);
    expect(outcomes.sort()).toEqual(['notDue', 'pending']);

    expect([t.calls, twice.calls]).toEqual([[{ method: 'start' }], [{ method: 'start' }]]);
    expect(twice.sent).toHaveLength(1);
  });

  it("keeps the sweep's re-drive as the safety net: early, it finds nothing to do; once the poll is overdue, it polls", async () => {
    const t = await setupWith({ jobRedriveAfterSeconds: 60 });
    t.script.start.push(answer({ kind: 'pending', state: { data: {} }, retryAfterSeconds: 90 }));
    await t.run();
    t.clock.advance(60);
    expect(await sweepStatuses(t.ctx)).toMatchObject({ redriven: 1 });
    // The re-drive comes before the poll is due: nothing to do, and no second chain of messages.
    expect(await t.deliver()).toEqual(['notDue']);
    t.clock.advance(60);
    // The poll's own message is lost (as if the queue had dropped it): only the sweep brings the job back.
    expect(await t.discard()).toHaveLength(1);
    expect(await sweepStatuses(t.ctx)).toMatchObject({ redriven: 1 });
    t.script.poll.push(issues);
    expect(await t.deliver()).toEqual(['issued']);
  });
});

describe('the issuer job failing itself (not the issuer)', () => {
  it('records each failure for the caller without internal detail, and the poison queue fails the operation with the count it recorded', async () => {
    const t = await setupWith();
    for (let i = 0; i < 3; i++) await recordJobFailure(t.ctx, t.job);
    const shown = (await t.wire()).issuer_job;
    // No next attempt is pending: the queue's redelivery is due at once.
    expect(shown).toEqual({ attempts: 3, max_attempts: 4, last_attempt: expect.any(Number), last_error: JOB_ERROR_FOR_CALLERS });

    expect(await failPoisonedJob(t.ctx, t.job)).toBe(true);
    expect((await t.wire()).error).toEqual({
      code: 'CertificateIssuerError',
      message: `Issuance was abandoned after 3 failed attempts. The last one: ${JOB_ERROR_FOR_CALLERS}`,
    });
    // A poison message for an operation that already ended changes nothing.
    expect(await failPoisonedJob(t.ctx, t.job)).toBe(false);
  });

  it('after a failure, lets the redelivered message call the provider at once', async () => {
    const t = await setupWith();
    t.script.start.push(answer({ kind: 'pending', state: { data: {} }, retryAfterSeconds: 3600 }));
    // The job took the operation (its lease runs), then failed before its answer could be written.
    const failing = { ...t.ctx, jobs: { enqueue: () => Promise.reject(new Error('queue unavailable')) } satisfies JobQueue };
    await expect(runIssuerJob(failing, t.job)).rejects.toThrow('queue unavailable');
    await recordJobFailure(t.ctx, t.job);
    t.script.poll.push(issues);
    expect(await t.run()).toBe('issued');
  });
});

describe('the Test provider', () => {
  it('never completes by itself, and costs a read when the sweep re-drives it', async () => {
    const clock = manualClock();
    const { ctx, takeJobs } = memoryServiceContext({ clock, jobRedriveAfterSeconds: 60 });
    await setIssuer(ctx, 'test-ca', { provider: 'Test' });
    await createCertificate(ctx, 'never', { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=never' }, issuer: { name: 'test-ca' } } });
    const [job] = await takeJobs();
    expect(await runIssuerJob(ctx, job!)).toBe('pending');
    for (let i = 0; i < 3; i++) {
      clock.advance(60);
      await sweepStatuses(ctx);
      expect(await Promise.all((await takeJobs()).map((j) => runIssuerJob(ctx, j)))).toEqual(['notDue']);
    }
    expect((await getPendingOperation(ctx, 'never')).status).toBe('inProgress');
    await requestCancellation(ctx, 'never');
    expect(await Promise.all((await takeJobs()).map((j) => runIssuerJob(ctx, j)))).toEqual(['cancelled']);
  });
});
