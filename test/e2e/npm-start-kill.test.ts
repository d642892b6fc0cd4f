import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { issueLocalToken } from '../../shared/auth/local-signing-key';
import { LOCAL_DEVELOPER_ROLE } from '../../shared/auth/roles';
import { DEFAULT_AUDIENCE } from '../../shared/config';
import { x509 as peculiarX509 } from '../../shared/crypto/x509';
import { findFreePort } from '../../scripts/local-host/ports';
import { inProgressJobStates, isAlive, recordedAzuritePids, startNpmStart, type NpmStartProcess } from '../helpers/npm-start-process';
import { API_VERSION, type RawClient, type RawResponse, rawClient } from '../helpers/raw-client';
import { eventually } from '../helpers/service-under-test';
import { createTestCa, type TestCa } from '../helpers/test-ca';

/** @peculiar/x509 as the app loads it (reflect-metadata first, the P-256K-capable provider set). */
const x509 = peculiarX509();

/**
 * The fault-injection suite of issue 11 and the done-when measure of "durable local default": `npm start`
 * (with its detached Azurite, which survives) takes a continuous stream of creates from a few concurrent
 * callers (Self EC and RSA, and Unknown ones, some merged at once) and is killed with SIGKILL (its whole
 * process group, as a crash or the OOM killer does) at three random moments, each time restarted on the same
 * port and data folder. Kills land mid-request (callers waiting for an answer) and mid-job (issuer jobs
 * running), which the run reports. The worst kill, a job dead after taking its operation (which then waits out
 * the job's lease), must be among them: when chance did not bring it, kills aimed at it follow.
 *
 * Afterwards every create answered 202 is found (`GET …/pending` never 404s) and ends terminal, or, for an
 * Unknown issuer, in progress and mergeable (a few are merged to prove it), and no certificate has a version
 * beyond its request's: each name (one create each) lists exactly one version, which for a completed request
 * is its certificate, with the key of the request's CSR, and otherwise the request's unissued version (Key
 * Vault lists that one too). A create whose answer was lost to the kill (connection reset) may have either
 * outcome, but when it exists the same rules hold.
 *
 * Random choices come from a seed printed with the counts; FAULT_SEED=<n> replays a run's choices (kinds,
 * merges, kill delays; not the timing of what the host was doing when a kill came).
 *
 * The certificates list (includePending) shows every acknowledged create and nothing that does not exist.
 */
const KILLS = 3;
const CALLERS = 4;
/** Each host lives this long (at random) before its SIGKILL; the last one gets as long again before the creates stop. */
const LIFETIME_MS = { min: 300, max: 1800 };
/** Kills aimed at a job holding its operation, when none of the random ones hit one. */
const AIMED_KILLS_AT_MOST = 3;
/** Unknown creates answered 202 that are merged after the last restart, to prove they are mergeable. */
const MERGED_AFTER = 3;
/**
 * A job killed after taking its operation holds it for its lease (the minimum, 10 s, is the recovery time of
 * the worst kill); the sweep (every second) re-drives it JOB_REDRIVE_AFTER_SECONDS after it comes due.
 */
const SETTINGS = {
  AUTH_MODE: 'local',
  ISSUER_JOB_LEASE_SECONDS: '10',
  JOB_REDRIVE_AFTER_SECONDS: '2',
  STATUS_SWEEP_SCHEDULE: '*/1 * * * * *',
  AzureFunctionsJobHost__extensions__queues__maxPollingInterval: '00:00:00.250',
  // The invocation lines ("Executing 'issuerJob'") tell which kills landed mid-job.
  LOG_LEVEL: 'debug',
};
/** Worst case after the last restart: a lease (10 s) + a re-drive (2 s) + a sweep tick and a queue poll. */
const DRAIN_TIMEOUT_MS = 40_000;
const TEST_TIMEOUT_MS = 150_000;

type Kind = 'selfEc' | 'selfRsa' | 'unknown';
const KINDS: readonly Kind[] = ['selfEc', 'selfEc', 'selfRsa', 'unknown', 'unknown'];

const KEY_PROPS: Record<Kind, object> = {
  selfEc: { kty: 'EC', crv: 'P-256' },
  selfRsa: { kty: 'RSA', key_size: 2048 },
  unknown: { kty: 'EC', crv: 'P-256' },
};

/** What a caller knows about one create it sent. `lost`: the connection failed mid-request (either outcome is allowed). */
interface Attempt {
  name: string;
  kind: Kind;
  outcome: 'acknowledged' | 'lost' | 'notSent' | `status ${number}`;
  requestId?: string;
  merge?: 'merged' | 'lost' | `status ${number}`;
}

interface Kill {
  afterMs: number;
  /** Aimed at a job that had taken its operation, rather than at a random moment. */
  aimed: boolean;
  requestsInFlight: number;
  jobsRunning: number;
  /** Operations a killed job had taken (not already held at an earlier kill): they wait for its lease to run out, then the sweep re-drives them. */
  taken: string[];
  /** Unix seconds. */
  at: number;
}

/** mulberry32: small, seedable, good enough to pick delays and kinds. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nothing reached the host (it was down): the caller sends the same create again, it is not an attempt. */
function refused(error: unknown): boolean {
  return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
}

/** Invocations of the issuer job the host started and had not finished when it died. */
function jobsRunning(output: string): number {
  const started = output.match(/Executing 'issuerJob'/g)?.length ?? 0;
  const ended = output.match(/Executed 'issuerJob'/g)?.length ?? 0;
  return started - ended;
}

/** Every name `GET /certificates?includePending=true` lists, page after page. */
async function listedNames(kv: RawClient): Promise<string[]> {
  const names: string[] = [];
  let route = '/certificates';
  let query = `api-version=${API_VERSION}&maxresults=25&includePending=true`;
  for (;;) {
    const page = await kv.request('GET', route, undefined, { query });
    expect(page.status).toBe(200);
    for (const item of page.body.value as { id: string }[]) names.push(item.id.split('/').pop() ?? '');
    if (typeof page.body.nextLink !== 'string') return names;
    const next = new URL(page.body.nextLink);
    route = next.pathname;
    query = next.search.slice(1);
  }
}

function publicKeyOfCsr(csrBase64: string): string {
  return Buffer.from(new x509.Pkcs10CertificateRequest(new Uint8Array(Buffer.from(csrBase64, 'base64'))).publicKey.rawData).toString('base64');
}

function publicKeyOfCertificate(cerBase64: string): string {
  return Buffer.from(new x509.X509Certificate(new Uint8Array(Buffer.from(cerBase64, 'base64'))).publicKey.rawData).toString('base64');
}

/**
 * The first start, on ports found free a moment before. Between that check and the host's listen, another
 * process on a busy machine can take one (npm start's own Azurite, asking the system for free ports, may be
 * handed the very one): that start fails with "port … is in use", and is tried again on new ports.
 */
async function firstStart(dataDir: string): Promise<{ host: NpmStartProcess; settings: Record<string, string> }> {
  for (let attempt = 1; ; attempt++) {
    const settings = { ...SETTINGS, PORT: String(await findFreePort()), HTTPS_PORT: String(await findFreePort()) };
    try {
      return { host: await startNpmStart(dataDir, settings), settings };
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || !/port \d+ is in use/.test(error.message)) throw error;
    }
  }
}

describe('npm start killed with SIGKILL at random points during creates', () => {
  let dataDir: string;
  const hosts: NpmStartProcess[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'npm-start-kill-'));
  });
  afterAll(async () => {
    // Whatever a failed run left behind: hosts first, then the emulator they do not own.
    for (const host of hosts) if (isAlive(host.pid)) await host.killGroup();
    for (const pid of recordedAzuritePids(dataDir)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged create: every 202 ends terminal or mergeable, with no version beyond its own', async () => {
    const seed = Number(process.env.FAULT_SEED) || Date.now() % 1_000_000;
    // One sequence for the kills, one per caller: a replay gives each the same choices whatever the interleaving.
    const killRandom = seededRandom(seed);
    const between = ({ min, max }: { min: number; max: number }) => Math.round(min + killRandom() * (max - min));
    const t0 = Date.now();
    const first = await firstStart(dataDir);
    const settings = first.settings;
    let host = first.host;
    hosts.push(host);
    const tStarted = Date.now();
    const keyFile = path.join(dataDir, 'auth-signing-key.json');
    const token = await issueLocalToken(keyFile, { audience: DEFAULT_AUDIENCE, roles: [LOCAL_DEVELOPER_ROLE] });
    // The same port across restarts: callers keep their URL, as a user's client does.
    const kv: RawClient = rawClient(host.url, () => Promise.resolve(token));
    const ca: TestCa = await createTestCa();

    const attempts: Attempt[] = [];
    let inFlight = 0;
    let refusals = 0;
    let stopped = false;

    /** One request as a caller sees it: an answer, or a connection that failed after the host took it. */
    async function send(method: string, route: string, body: unknown): Promise<RawResponse | 'lost' | 'notSent'> {
      for (;;) {
        if (stopped) return 'notSent';
        inFlight += 1;
        try {
          return await kv.request(method, route, body);
        } catch (error) {
          if (!refused(error)) return 'lost';
          refusals += 1;
        } finally {
          inFlight -= 1;
        }
        await sleep(50);
      }
    }

    async function caller(index: number): Promise<void> {
      const random = seededRandom(seed + 1 + index);
      for (let n = 0; !stopped; n++) {
        const kind = KINDS[Math.floor(random() * KINDS.length)] ?? 'selfEc';
        const name = `kill-${index}-${n}`;
        const policy = { key_props: KEY_PROPS[kind], x509_props: { subject: `CN=${name}` }, issuer: { name: kind === 'unknown' ? 'Unknown' : 'Self' } };
        const attempt: Attempt = { name, kind, outcome: 'lost' };
        attempts.push(attempt);
        const created = await send('POST', `/certificates/${name}/create`, { policy });
        if (created === 'lost') continue;
        if (created === 'notSent') {
          attempts.splice(attempts.indexOf(attempt), 1);
          continue;
        }
        if (created.status !== 202) {
          attempt.outcome = `status ${created.status}`;
          continue;
        }
        attempt.outcome = 'acknowledged';
        attempt.requestId = created.body.request_id as string;
        if (kind === 'unknown' && random() < 0.5) {
          const x5c = [(await ca.sign(created.body.csr as string)).toString('base64')];
          const merged = await send('POST', `/certificates/${name}/pending/merge`, { x5c });
          if (merged !== 'notSent') attempt.merge = merged === 'lost' ? 'lost' : merged.status === 201 ? 'merged' : `status ${merged.status}`;
        }
      }
    }

    const callers = Array.from({ length: CALLERS }, (_, i) => caller(i));
    const kills: Kill[] = [];
    const restartsMs: number[] = [];
    async function killAndRestart(afterMs: number, aimed: boolean): Promise<void> {
      const requestsInFlight = inFlight;
      await host.killGroup();
      const tKilled = Date.now();
      const heldBefore = new Set(kills.flatMap((k) => k.taken));
      const taken = (await inProgressJobStates(dataDir)).filter((op) => op.callUnderWay && !heldBefore.has(op.name)).map((op) => op.name);
      kills.push({ afterMs, aimed, requestsInFlight, jobsRunning: jobsRunning(host.output()), taken, at: Math.floor(tKilled / 1000) });
      host = await startNpmStart(dataDir, settings);
      hosts.push(host);
      restartsMs.push(Date.now() - tKilled);
      expect(host.output()).toMatch(/Reattached to Azurite/);
    }

    try {
      for (let k = 0; k < KILLS; k++) {
        const afterMs = between(LIFETIME_MS);
        await sleep(afterMs);
        await killAndRestart(afterMs, false);
      }
      // The worst kill, a job dead after taking its operation, must be among them: when chance did not bring
      // it, kills aimed at it (as soon as storage shows an operation taken) follow.
      for (let aimed = 0; aimed < AIMED_KILLS_AT_MOST && !kills.some((k) => k.taken.length > 0); aimed++) {
        const started = Date.now();
        while (Date.now() - started < LIFETIME_MS.max && !(await inProgressJobStates(dataDir)).some((op) => op.callUnderWay)) await sleep(5);
        await killAndRestart(Date.now() - started, true);
      }
      await sleep(between(LIFETIME_MS));
    } finally {
      // Also when a restart failed: callers must not go on sending to a host that is not coming back.
      stopped = true;
      await Promise.all(callers);
    }
    const tDrain = Date.now();

    // Every create that may exist (a lost answer too), until it has settled where it can.
    /** `status`: the operation's, or `absent` (a lost answer's create that never happened), or what went wrong. */
    type Settled = { attempt: Attempt; status: string; pending?: Record<string, unknown> };
    const candidates = attempts.filter((a) => a.outcome === 'acknowledged' || a.outcome === 'lost');
    const settled: Settled[] = await Promise.all(
      candidates.map((attempt) =>
        eventually(`${attempt.name} (${attempt.kind}, ${attempt.outcome}) to settle`, async (): Promise<Settled | undefined> => {
          const pending = await kv.request('GET', `/certificates/${attempt.name}/pending`);
          if (pending.status === 404 && attempt.outcome === 'lost') return { attempt, status: 'absent' };
          if (pending.status !== 200) return { attempt, status: `GET pending answered ${pending.status}` };
          const status = pending.body.status as string;
          // Self requests end by themselves; Unknown ones wait in progress for a merge.
          if (status === 'inProgress' && attempt.kind !== 'unknown') return undefined;
          return { attempt, status, pending: pending.body };
        }, DRAIN_TIMEOUT_MS),
      ),
    );
    const drainMs = Date.now() - tDrain;

    // Prove "mergeable": merge a few of the Unknown requests still waiting.
    const waiting = settled.filter((s) => s.attempt.kind === 'unknown' && s.status === 'inProgress');
    const mergedAfter: Settled[] = [];
    for (const s of waiting.slice(0, MERGED_AFTER)) {
      const x5c = [(await ca.sign(s.pending?.csr as string)).toString('base64')];
      const merged = await kv.request('POST', `/certificates/${s.attempt.name}/pending/merge`, { x5c });
      expect({ name: s.attempt.name, merge: merged.status }).toEqual({ name: s.attempt.name, merge: 201 });
      const after = await kv.request('GET', `/certificates/${s.attempt.name}/pending`);
      mergedAfter.push({ attempt: s.attempt, status: after.body.status as string, pending: after.body });
    }
    const final = settled.map((s) => mergedAfter.find((m) => m.attempt === s.attempt) ?? s);

    // What each name holds: one version per completed request, with that request's key; none otherwise.
    const problems: string[] = [];
    let duplicates = 0;
    for (const s of final) {
      const { name, outcome, requestId } = s.attempt;
      if (s.status === 'absent') continue;
      if (!s.pending) {
        problems.push(`${name}: ${s.status}`);
        continue;
      }
      if (outcome === 'acknowledged' && s.pending.request_id !== requestId) problems.push(`${name}: another request (${String(s.pending.request_id)}) replaced the acknowledged ${requestId}`);
      // A name holds the version its request creates, listed (disabled, without a certificate) from the create on.
      const versions = ((await kv.request('GET', `/certificates/${name}/versions`)).body.value as { id: string; x5t?: string }[] | undefined) ?? [];
      if (versions.length > 1) duplicates += versions.length - 1;
      if (versions.length !== 1) problems.push(`${name}: ${s.status} with ${versions.length} versions`);
      if (s.status === 'completed') {
        const certificate = await kv.request('GET', `/certificates/${name}/`);
        if (versions[0]?.id !== certificate.body.id || versions[0]?.x5t !== certificate.body.x5t) problems.push(`${name}: its listed version is not its certificate`);
        if (publicKeyOfCertificate(certificate.body.cer as string) !== publicKeyOfCsr(s.pending.csr as string)) problems.push(`${name}: its version does not hold the request's key`);
      } else if (versions[0]?.x5t !== undefined) {
        problems.push(`${name}: ${s.status}, yet its version has a certificate`);
      }
      if (s.attempt.merge === 'merged' && s.status !== 'completed') problems.push(`${name}: merge answered 201 but the request is ${s.status}`);
    }

    // The list shows every acknowledged create (its row was refreshed before the 202) and nothing that does
    // not exist. A create whose answer was lost may have died between its write and its row's refresh: the
    // sweep lists it once its reconcile entry is due (RECONCILE_GRACE_SECONDS, a minute), longer than this run.
    const listed = new Set(await listedNames(kv));
    const existing = new Set(final.filter((s) => s.status !== 'absent').map((s) => s.attempt.name));
    const unlisted = final.filter((s) => existing.has(s.attempt.name) && !listed.has(s.attempt.name));
    const listedButAbsent = [...listed].filter((name) => !existing.has(name));

    const acknowledged = attempts.filter((a) => a.outcome === 'acknowledged');
    const lostAcknowledged = final.filter((s) => s.attempt.outcome === 'acknowledged' && s.status.startsWith('GET pending')).length;
    const count = (predicate: (s: Settled) => boolean) => final.filter(predicate).length;
    const byStatus = (status: string) => count((s) => s.status === status);
    const lostAnswers = attempts.filter((a) => a.outcome === 'lost');
    const midJob = kills.filter((k) => k.jobsRunning > 0).length;
    const midProviderCall = kills.filter((k) => k.taken.length > 0).length;
    // How long a taken operation waited: its version's `created` is when the re-driven job completed it.
    const recoverySeconds: number[] = [];
    for (const kill of kills) {
      for (const name of kill.taken) {
        const certificate = await kv.request('GET', `/certificates/${name}/`);
        const created = (certificate.body.attributes as { created?: number } | undefined)?.created;
        if (created !== undefined) recoverySeconds.push(created - kill.at);
      }
    }
    const midRequest = kills.filter((k) => k.requestsInFlight > 0).length;
    console.log(
      [
        `npm start fault injection (seed ${seed}): ${CALLERS} callers, ${attempts.length} creates sent, ${acknowledged.length} answered 202 ` +
          `(${acknowledged.filter((a) => a.kind === 'selfEc').length} Self EC, ${acknowledged.filter((a) => a.kind === 'selfRsa').length} Self RSA, ` +
          `${acknowledged.filter((a) => a.kind === 'unknown').length} Unknown), ${lostAnswers.length} answers lost to a kill ` +
          `(${count((s) => s.attempt.outcome === 'lost' && s.status === 'absent')} absent, ${count((s) => s.attempt.outcome === 'lost' && s.status !== 'absent')} recorded), ` +
          `${refusals} requests refused while down and sent again, other answers ${attempts.filter((a) => a.outcome.startsWith('status')).length}`,
        `kills ${kills.length}: ${kills.map((k) => `${k.aimed ? 'aimed ' : ''}after ${k.afterMs} ms (${k.requestsInFlight} requests in flight, ${k.jobsRunning} jobs running, ${k.taken.length} operations taken by a job)`).join('; ')}; ` +
          `${midRequest} mid-request, ${midJob} mid-job, ${midProviderCall} after a job took its operation ` +
          `(${recoverySeconds.length} such operations completed ${Math.min(...recoverySeconds)}-${Math.max(...recoverySeconds)} s after their kill)`,
        `of the ${existing.size} that exist (202s and lost answers recorded), ended: completed ${byStatus('completed')}, failed ${byStatus('failed')}, cancelled ${byStatus('cancelled')}, mergeable (Unknown, inProgress) ${waiting.length} (${byStatus('inProgress')} left after merging ${mergedAfter.length}); ` +
          `merged during the run ${attempts.filter((a) => a.merge === 'merged').length} (${attempts.filter((a) => a.merge === 'lost').length} merge answers lost), ` +
          `duplicates ${duplicates}, lost ${lostAcknowledged}; listed ${listed.size} (${unlisted.length} creates with a lost answer not listed yet)`,
        `phases: first start ${tStarted - t0} ms, restarts ${restartsMs.join('/')} ms, run ${tDrain - tStarted} ms, drain ${drainMs} ms`,
      ].join('\n'),
    );
    for (const s of final) if (s.status === 'failed') console.warn(`${s.attempt.name} failed: ${JSON.stringify(s.pending?.error)}`);

    expect(problems).toEqual([]);
    expect(unlisted.filter((s) => s.attempt.outcome === 'acknowledged').map((s) => s.attempt.name)).toEqual([]);
    expect(listedButAbsent).toEqual([]);
    expect({ duplicates, lostAcknowledged }).toEqual({ duplicates: 0, lostAcknowledged: 0 });
    // Every answer was a 202 or a lost connection: a 5xx or 4xx here is a fault the kill exposed.
    expect(attempts.filter((a) => a.outcome.startsWith('status') || a.merge?.startsWith('status')).map((a) => `${a.name}: ${a.outcome} ${a.merge ?? ''}`)).toEqual([]);
    expect(kills.length).toBeGreaterThanOrEqual(KILLS);
    // The lease path was exercised: some kill left an operation taken by a dead job, and it completed all the same.
    expect(recoverySeconds.length).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(0);
    if (waiting.length > 0) expect(mergedAfter.map((m) => m.status)).toEqual(mergedAfter.map(() => 'completed'));

    // A normal stop takes the emulator with it, gracefully, and leaves no record for a next start.
    const azurite = recordedAzuritePids(dataDir);
    expect(azurite).toHaveLength(2);
    await host.stop();
    for (const pid of azurite) await eventually(`Azurite ${pid} to exit`, () => Promise.resolve(isAlive(pid) ? undefined : true));
    expect(existsSync(path.join(dataDir, 'azurite-processes.json'))).toBe(false);
  }, TEST_TIMEOUT_MS);
});
