import { createCertificate } from '../../../shared/services/create-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { getPendingOperation, requestCancellation } from '../../../shared/services/pending-operations';
import { sweepStatuses } from '../../../shared/services/status-sweep';
import { setIssuer } from '../../../shared/services/issuer-objects';
import type { IssuerJob, JobQueue } from '../../../shared/storage/repositories';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

// EC keys: the sweep does not care about the key type, and an RSA key costs a tenth of a second or more to make.
const selfBody = { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=sweep' }, issuer: { name: 'Self' } } };

describe('status sweep', () => {
  it('re-drives an operation whose job was lost between the table write and the enqueue', async () => {
    const clock = manualClock();
    const { ctx, takeJobs } = memoryServiceContext({ clock });
    // The process "dies" at the enqueue: the operation is written, the job never leaves.
    const lostEnqueue: JobQueue = { enqueue: () => Promise.reject(new Error('process died')) };
    const dying = { ...ctx, jobs: lostEnqueue };
    await expect(createCertificate(dying, 'lost-job', selfBody)).rejects.toThrow('process died');
    expect((await getPendingOperation(ctx, 'lost-job')).status).toBe('inProgress');
    expect(await takeJobs()).toEqual([]);

    // Not due yet: the sweep leaves it alone.
    expect((await sweepStatuses(ctx)).redriven).toBe(0);
    clock.advance(ctx.jobRedriveAfterSeconds);
    expect(await sweepStatuses(ctx)).toMatchObject({ due: 1, redriven: 1 });
    const jobs = await takeJobs();
    expect(jobs).toHaveLength(1);
    for (const job of jobs) expect(await runIssuerJob(ctx, job)).toBe('issued');
    expect((await getPendingOperation(ctx, 'lost-job')).status).toBe('completed');

    // Once it has moved on, the next due entry is settled and nothing more is enqueued.
    clock.advance(ctx.jobRedriveAfterSeconds);
    expect(await sweepStatuses(ctx)).toMatchObject({ due: 1, settled: 1, redriven: 0 });
    expect(await takeJobs()).toEqual([]);
  });

  it("has nothing to do for an operation whose job ended it: the job removes the operation's entry once the end is committed", async () => {
    const clock = manualClock();
    const { ctx, takeJobs } = memoryServiceContext({ clock });
    await createCertificate(ctx, 'issued', selfBody);
    await createCertificate(ctx, 'cancelled', selfBody);
    await requestCancellation(ctx, 'cancelled');
    const outcomes = [];
    for (const job of await takeJobs()) outcomes.push(await runIssuerJob(ctx, job));
    // The cancelled one's creation job comes second and finds nothing to do.
    expect(outcomes.sort()).toEqual(['cancelled', 'dropped', 'issued']);
    clock.advance(ctx.jobRedriveAfterSeconds);
    expect(await sweepStatuses(ctx)).toMatchObject({ due: 0 });
  });

  it('keeps the entry of a job whose completion did not commit, and re-drives it', async () => {
    const clock = manualClock();
    const { ctx, takeJobs } = memoryServiceContext({ clock });
    const op = await createCertificate(ctx, 'crashed', selfBody);
    const [job] = await takeJobs();
    // The job dies at its completion batch: nothing of the end is written.
    const dying = { ...ctx, certificates: Object.assign(Object.create(ctx.certificates) as typeof ctx.certificates, { completeOperation: () => Promise.reject(new Error('process died')) }) };
    await expect(runIssuerJob(dying, job!)).rejects.toThrow('process died');
    clock.advance(ctx.jobRedriveAfterSeconds);
    expect(await sweepStatuses(ctx)).toMatchObject({ due: 1, redriven: 1 });
    const redriven = await takeJobs();
    expect(redriven).toEqual([{ name: 'crashed', requestId: op.requestId }]);
    // Once the dead run's lease has run out, the re-driven job issues.
    clock.advance(ctx.jobLeaseSeconds);
    expect(await runIssuerJob(ctx, redriven[0]!)).toBe('issued');
  });

  it('fails an operation older than the maximum age with a clear error', async () => {
    const clock = manualClock();
    const { ctx } = memoryServiceContext({ clock, operationMaxAgeSeconds: 300, jobRedriveAfterSeconds: 60 });
    await setIssuer(ctx, 'slow-ca', { provider: 'Test' });
    await createCertificate(ctx, 'too-slow', { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=x' }, issuer: { name: 'slow-ca' } } });
    for (let i = 0; i < 4; i++) {
      clock.advance(60);
      expect(await sweepStatuses(ctx)).toMatchObject({ redriven: 1, timedOut: 0 });
    }
    clock.advance(60);
    expect(await sweepStatuses(ctx)).toMatchObject({ timedOut: 1 });
    const op = await getPendingOperation(ctx, 'too-slow');
    expect(op.status).toBe('failed');
    expect(op.error).toEqual({ code: 'RequestTimedOut', message: 'The certificate request did not complete within 300 seconds and was abandoned.' });
  });

  it('reads only what is due: operations due later are not touched', async () => {
    const clock = manualClock();
    const { ctx } = memoryServiceContext({ clock, jobRedriveAfterSeconds: 600 });
    await setIssuer(ctx, 'later-ca', { provider: 'Test' });
    for (let i = 0; i < 5; i++) {
      await createCertificate(ctx, `later-${i}`, { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=x' }, issuer: { name: 'later-ca' } } });
    }
    clock.advance(300);
    expect(await sweepStatuses(ctx)).toEqual({ due: 0, redriven: 0, timedOut: 0, settled: 0, reconciled: 0, reconcileFailed: 0, failed: 0 });
    clock.advance(300);
    expect((await sweepStatuses(ctx)).due).toBe(5);
  });

  it('handles the other entries when one cannot be read, and keeps that one due for the next run', async () => {
    const clock = manualClock();
    const { ctx } = memoryServiceContext({ clock });
    const now = clock().getTime() / 1000;
    await ctx.dueIndex.schedule({ name: 'unreadable', requestId: 'r1', dueAt: now - 60 });
    await ctx.dueIndex.schedule({ name: 'settled', requestId: 'r2', dueAt: now - 60 });
    const logged: string[] = [];
    const failing = {
      ...ctx,
      certificates: Object.assign(Object.create(ctx.certificates) as typeof ctx.certificates, {
        getOperation: (name: string) => (name === 'unreadable' ? Promise.reject(new Error('storage unavailable')) : ctx.certificates.getOperation(name)),
      }),
    };
    expect(await sweepStatuses(failing, (m) => logged.push(m))).toMatchObject({ due: 2, settled: 1, failed: 1 });
    expect(logged).toEqual(['Status sweep of unreadable failed, will retry: storage unavailable']);
    expect(await sweepStatuses(ctx)).toMatchObject({ due: 1, settled: 1, failed: 0 });
  });
});

describe('issuer job', () => {
  it('changes nothing when it runs twice, and drops a message for a replaced request', async () => {
    const { ctx, takeJobs } = memoryServiceContext();
    const op = await createCertificate(ctx, 'twice', selfBody);
    const [job] = await takeJobs();
    expect(job).toEqual({ name: 'twice', requestId: op.requestId });
    expect(await runIssuerJob(ctx, job!)).toBe('issued');
    const first = await ctx.certificates.getVersion('twice', op.version);
    expect(await runIssuerJob(ctx, job!)).toBe('dropped');
    expect(await ctx.certificates.getVersion('twice', op.version)).toEqual(first);

    const replaced = await createCertificate(ctx, 'twice', selfBody);
    expect(await runIssuerJob(ctx, job!)).toBe('dropped');
    expect((await getPendingOperation(ctx, 'twice')).requestId).toBe(replaced.requestId);
  });

  it('with a minimum issuance time, puts itself back on the queue until the operation is old enough, then issues', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00.400Z'));
    const { ctx } = memoryServiceContext({ clock, issuanceMinSeconds: 30 });
    const sent: { job: IssuerJob; delaySeconds: number | undefined }[] = [];
    const queue: JobQueue = { enqueue: async (job, options = {}) => void sent.push({ job, delaySeconds: options.delaySeconds }) };
    const timed = { ...ctx, jobs: queue };

    const op = await createCertificate(timed, 'slow-self', selfBody);
    expect(op.status).toBe('inProgress');
    // The first run waits on the queue (30 s, plus the 0.4 s rounded up to a whole second) instead of in the job.
    expect(sent).toEqual([{ job: { name: 'slow-self', requestId: op.requestId }, delaySeconds: 31 }]);

    // A job that comes early (a re-drive, a retry) sends itself again for the rest of the wait.
    clock.advance(10);
    expect(await runIssuerJob(timed, sent[0]!.job)).toBe('deferred');
    expect(sent[1]).toEqual({ job: sent[0]!.job, delaySeconds: 21 });
    clock.advance(20);
    expect(await runIssuerJob(timed, sent[0]!.job)).toBe('deferred');
    expect((await getPendingOperation(ctx, 'slow-self')).status).toBe('inProgress');

    clock.advance(1);
    expect(await runIssuerJob(timed, sent[0]!.job)).toBe('issued');
    expect((await getPendingOperation(ctx, 'slow-self')).status).toBe('completed');
    expect(sent).toHaveLength(3);
  });

  it('ends a Self operation cancelled during the minimum issuance time, without an error', async () => {
    const clock = manualClock();
    const { ctx, takeJobs } = memoryServiceContext({ clock, issuanceMinSeconds: 30 });
    const op = await createCertificate(ctx, 'cancel-early', selfBody);
    const answered = await requestCancellation(ctx, 'cancel-early');
    // The issuer is asked by the job, so the PATCH answers the request recorded, as Key Vault's does.
    expect(answered).toMatchObject({ status: 'inProgress', cancellationRequested: true });
    // The cancellation's own job is visible at once; the creation's is still waiting out its delay.
    const jobs = await takeJobs();
    expect(jobs).toEqual([{ name: 'cancel-early', requestId: op.requestId }]);
    expect(await runIssuerJob(ctx, jobs[0]!)).toBe('cancelled');

    const ended = await getPendingOperation(ctx, 'cancel-early');
    expect(ended.status).toBe('cancelled');
    expect(ended).not.toHaveProperty('error');
    expect(ended).not.toHaveProperty('statusDetails');
    // The delayed job that comes later finds nothing to do.
    clock.advance(31);
    expect(await runIssuerJob(ctx, jobs[0]!)).toBe('dropped');
  });

  it('cancels a manual (Unknown) request at once: there is no issuer to ask and no job to wait for', async () => {
    const { ctx, takeJobs } = memoryServiceContext();
    await createCertificate(ctx, 'manual-cancel', { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=x' }, issuer: { name: 'Unknown' } } });
    const answered = await requestCancellation(ctx, 'manual-cancel');
    expect(answered).toMatchObject({ status: 'cancelled', cancellationRequested: true });
    expect(answered).not.toHaveProperty('error');
    expect((await getPendingOperation(ctx, 'manual-cancel')).status).toBe('cancelled');
    expect(await takeJobs()).toEqual([]);
  });
});
