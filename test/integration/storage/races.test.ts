import { KeyVaultError } from '../../../shared/api/key-vault-error';
import { createCertificate } from '../../../shared/services/create-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { mergeCertificate } from '../../../shared/services/merge-certificate';
import { deletePendingOperation, requestCancellation } from '../../../shared/services/pending-operations';
import type { ServiceContext } from '../../../shared/services/service-context';
import type { IssuerJob } from '../../../shared/storage/repositories';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite';
import { serviceContextOn } from '../../helpers/service-context';
import { type TestCa, createTestCa } from '../../helpers/test-ca';

/**
 * Callers and the issuer job racing each other on real storage (Azurite: ETags, conditional writes, network
 * latency between steps), each race run TRIALS times so that different interleavings happen. Whatever the
 * order, what a caller can observe afterwards must be one consistent story: a finished operation with exactly
 * the versions its status implies, and every caller's answer agreeing with it.
 */
const TRIALS = 5;

/** Up to a few milliseconds of head start for one side, so that each side sometimes goes first. */
const staggered = async <T>(call: () => Promise<T>): Promise<T> => {
  await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 15)));
  return call();
};

let azurite: RunningAzurite;
let ctx: ServiceContext;
let takeJobs: () => Promise<IssuerJob[]>;
let ca: TestCa;
let otherCa: TestCa;
const outcomes: string[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
  ({ ctx, takeJobs } = await serviceContextOn(azurite.connectionString));
  [ca, otherCa] = await Promise.all([createTestCa('CN=Race CA One'), createTestCa('CN=Race CA Two')]);
});

afterAll(async () => {
  process.stdout.write(`races: ${outcomes.length} trials; ${summary(outcomes)}\n`);
  await azurite?.stop();
});

function summary(all: string[]): string {
  const counts = new Map<string, number>();
  for (const o of all) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts.entries()].map(([o, n]) => `${o}: ${n}`).join(', ');
}

const policy = (issuer: string) => ({ policy: { key_props: { kty: 'EC' as const, crv: 'P-256' as const }, x509_props: { subject: 'CN=race' }, issuer: { name: issuer } } });

/** The answer a caller got: ok, or the status and code of the Key Vault error. Anything else fails the test. */
async function answerOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (error instanceof KeyVaultError) return `${error.status} ${error.code}`;
    throw error;
  }
}

/** Runs every job the queue holds, as the queue trigger would, until none is left. */
async function drain(): Promise<void> {
  for (let jobs = await takeJobs(); jobs.length > 0; jobs = await takeJobs()) await Promise.all(jobs.map((job) => runIssuerJob(ctx, job)));
}

async function stateOf(name: string) {
  const op = (await ctx.certificates.getOperation(name))?.value;
  const versions = (await ctx.certificates.listVersions(name, 10)).versions;
  return { status: op?.status, versions: versions.length };
}

async function csrOf(name: string): Promise<string> {
  const op = (await ctx.certificates.getOperation(name))?.value;
  if (!op) throw new Error(`no operation for ${name}`);
  return op.csr;
}

describe('races between callers and the issuer job, on Azurite', () => {
  it('cancel racing a Self issuance: completed with one version or cancelled with none, and the cancel answer agrees', async () => {
    for (let i = 0; i < TRIALS; i++) {
      const name = `cancel-vs-job-${i}`;
      await createCertificate(ctx, name, policy('Self'));
      const [cancel] = await Promise.all([answerOf(staggered(() => requestCancellation(ctx, name))), drain()]);
      await drain();
      const { status, versions } = await stateOf(name);
      outcomes.push(`cancel-vs-job ${status}`);
      if (status === 'completed') {
        expect(versions).toBe(1);
        // Refused because it came too late, or accepted while the job was already finishing: both are honest.
        expect(['ok', '400 BadParameter']).toContain(cancel);
      } else {
        expect(status).toBe('cancelled');
        expect(versions).toBe(0);
        expect(cancel).toBe('ok');
      }
    }
  });

  it('merge racing cancel on a manual (Unknown) request: the merge completes it with one version either way', async () => {
    for (let i = 0; i < TRIALS; i++) {
      const name = `merge-vs-cancel-${i}`;
      await createCertificate(ctx, name, policy('Unknown'));
      const signed = (await ca.sign(await csrOf(name))).toString('base64');
      const [merge, cancel] = await Promise.all([
        answerOf(staggered(() => mergeCertificate(ctx, name, { x5c: [signed] }))),
        answerOf(staggered(() => requestCancellation(ctx, name))),
      ]);
      const { status, versions } = await stateOf(name);
      outcomes.push(`merge-vs-cancel cancel=${cancel}`);
      // A merge completes a cancelled manual request too (S7): whichever lands first, the merge succeeds.
      expect(merge).toBe('ok');
      expect(status).toBe('completed');
      expect(versions).toBe(1);
      // The cancel is accepted when it lands first, refused once the merge has completed the request.
      expect(['ok', '400 BadParameter']).toContain(cancel);
    }
  });

  it('merge racing merge with two different chains: exactly one wins, and the version holds the winner’s certificate', async () => {
    for (let i = 0; i < TRIALS; i++) {
      const name = `merge-vs-merge-${i}`;
      await createCertificate(ctx, name, policy('Unknown'));
      const csr = await csrOf(name);
      const [one, two] = await Promise.all([ca.sign(csr), otherCa.sign(csr)]);
      const answers = await Promise.all([
        answerOf(staggered(() => mergeCertificate(ctx, name, { x5c: [one.toString('base64')] }))),
        answerOf(staggered(() => mergeCertificate(ctx, name, { x5c: [two.toString('base64')] }))),
      ]);
      outcomes.push(`merge-vs-merge ${answers.join(' / ')}`);
      const { status, versions } = await stateOf(name);
      expect(status).toBe('completed');
      expect(versions).toBe(1);
      // The loser is told the request is already completed.
      expect([...answers].sort()).toEqual(['400 BadParameter', 'ok']);
      const winner = answers[0] === 'ok' ? one : two;
      const head = await ctx.certificates.getHead(name);
      const latest = head?.latest;
      expect(latest?.chain[0]).toBe(winner.toString("base64"));
    }
  });

  it('a job delivered twice at once, and again after completion, issues one version', async () => {
    for (let i = 0; i < TRIALS; i++) {
      const name = `twice-${i}`;
      await createCertificate(ctx, name, policy('Self'));
      const jobs = await takeJobs();
      expect(jobs).toHaveLength(1);
      const job = jobs[0]!;
      const outcomesOfJob = await Promise.all([runIssuerJob(ctx, job), runIssuerJob(ctx, job)]);
      const late = await runIssuerJob(ctx, job);
      await drain();
      outcomes.push(`twice ${outcomesOfJob.join('+')} then ${late}`);
      expect(await stateOf(name)).toEqual({ status: 'completed', versions: 1 });
      expect(outcomesOfJob.filter((o) => o === 'issued')).toHaveLength(1);
      expect(late).toBe('dropped');
    }
  });

  it("a stale job for an operation that was deleted and created again is dropped after the new one's, changing nothing", async () => {
    for (let i = 0; i < 3; i++) {
      const name = `stale-${i}`;
      await createCertificate(ctx, name, policy('Self'));
      const [stale] = await takeJobs();
      await deletePendingOperation(ctx, name);
      await createCertificate(ctx, name, policy('Self'));
      const [fresh] = await takeJobs();
      expect(await runIssuerJob(ctx, fresh!)).toBe('issued');
      const before = await ctx.certificates.getOperation(name);
      expect(await runIssuerJob(ctx, stale!)).toBe('dropped');
      await drain();
      outcomes.push('stale dropped');
      expect(await stateOf(name)).toEqual({ status: 'completed', versions: 1 });
      expect((await ctx.certificates.getOperation(name))?.etag).toBe(before?.etag);
    }
  });
});
