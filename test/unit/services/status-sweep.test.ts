import { createCertificate } from '../../../shared/services/create-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { getPendingOperation } from '../../../shared/services/pending-operations';
import { sweepStatuses } from '../../../shared/services/status-sweep';
import { setIssuer } from '../../../shared/services/issuer-objects';
import type { JobQueue } from '../../../shared/storage/repositories';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

const selfBody = { policy: { x509_props: { subject: 'CN=sweep' }, issuer: { name: 'Self' } } };

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

  it('fails an operation older than the maximum age with a clear error', async () => {
    const clock = manualClock();
    const { ctx } = memoryServiceContext({ clock, operationMaxAgeSeconds: 300, jobRedriveAfterSeconds: 60 });
    await setIssuer(ctx, 'slow-ca', { provider: 'Test' });
    await createCertificate(ctx, 'too-slow', { policy: { x509_props: { subject: 'CN=x' }, issuer: { name: 'slow-ca' } } });
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
      await createCertificate(ctx, `later-${i}`, { policy: { x509_props: { subject: 'CN=x' }, issuer: { name: 'later-ca' } } });
    }
    clock.advance(300);
    expect(await sweepStatuses(ctx)).toEqual({ due: 0, redriven: 0, timedOut: 0, settled: 0 });
    clock.advance(300);
    expect((await sweepStatuses(ctx)).due).toBe(5);
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
});
