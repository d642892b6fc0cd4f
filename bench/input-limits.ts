import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { type BenchFigure, figureOf, ratioOf, statsOf } from './figures';
import { percentile } from './measure';

export type { BenchFigure } from './figures';

/**
 * Section 6 of `npm run bench`: input limits are enforced before work (issue 11). How long an oversized field
 * takes to be refused, whether small reads slow down meanwhile, and what unauthenticated giant bodies cost
 * the host in memory. Figures only; nothing here asserts a time.
 */

/** The current resident memory of a live process, in MiB (Linux's VmRSS). */
export function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

interface Sent {
  status: number;
  ms: number;
}

/**
 * POSTs `bytes` of body (a JSON create whose subject makes up the size) and times the answer. `chunked` sends
 * no Content-Length, so the limit can only be found while reading. The client keeps writing until it is
 * answered and stops there, as an SDK's HTTP stack does.
 */
function sendLarge(url: string, token: string | undefined, bytes: number, chunked: boolean): Promise<Sent> {
  const prefix = Buffer.from('{"policy":{"issuer":{"name":"Self"},"x509_props":{"subject":"CN=');
  const suffix = Buffer.from('"}}}');
  const fill = Math.max(0, bytes - prefix.length - suffix.length);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(prefix.length + fill + suffix.length) }),
        },
      },
      (res) => {
        answered = true;
        const status = res.statusCode ?? 0;
        const ms = performance.now() - started;
        res.resume();
        res.on('end', () => {
          req.destroy();
          resolve({ status, ms });
        });
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const block = Buffer.alloc(256 * 1024, 'a');
    let written = 0;
    req.write(prefix);
    const pump = (): void => {
      while (!answered && written < fill) {
        const piece = block.subarray(0, Math.min(block.length, fill - written));
        written += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      if (!answered) req.end(suffix);
    };
    pump();
  });
}

/**
 * A careless client on a raw socket: headers, then the whole body whatever the answer (Node's own HTTP client
 * gives up writing once it has its answer). Resolves with the status and when the last byte was written.
 */
function sendWholeBodyRaw(url: string, bytes: number): Promise<Sent & { writtenMs: number }> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let status = 0;
    let ms = 0;
    let writtenMs = 0;
    const done = () => {
      if (status && writtenMs) {
        socket.destroy();
        resolve({ status, ms, writtenMs });
      }
    };
    socket.on('data', (data: Buffer) => {
      if (status) return;
      status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data.toString('latin1'))?.[1] ?? -1);
      ms = performance.now() - started;
      done();
    });
    socket.on('error', reject);
    socket.write(`POST ${new URL(url).pathname}?api-version=7.5 HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`);
    const block = Buffer.alloc(256 * 1024, 'a');
    let written = 0;
    const pump = (): void => {
      while (written < bytes) {
        const piece = block.subarray(0, Math.min(block.length, bytes - written));
        written += piece.length;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
      writtenMs = performance.now() - started;
      done();
    };
    pump();
  });
}

async function timedGets(url: string, token: string, count: number, concurrency: number): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const started = performance.now();
        const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
        await response.text();
        if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
        times.push(performance.now() - started);
      }
    }),
  );
  return times.sort((a, b) => a - b);
}

export interface InputLimitsOptions {
  url: string;
  token: string;
  pid: number;
  existingCertificate: string;
  /** Oversized creates of each kind (each figure is their median). */
  samples: number;
  /** Small GETs timed in all, alone and under attack alike, spread over the rounds. */
  gets: number;
  /** Rounds in which the GETs alone and the GETs under attack take turns. */
  rounds: number;
}

export async function inputLimits(options: InputLimitsOptions): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const create = `${options.url}/certificates/limits-bench/create?api-version=7.5`;
  const MiB = 1024 * 1024;

  // (a) A 20 MiB field: declared (Content-Length) and streamed (chunked), taking turns; and a field under the
  // body limit that the schema refuses (the work a body within the limit can cause).
  const declared: number[] = [];
  const streamed: number[] = [];
  const underLimit: number[] = [];
  for (let i = 0; i < options.samples; i++) {
    const a = await sendLarge(create, options.token, 20 * MiB, false);
    const b = await sendLarge(create, options.token, 20 * MiB, true);
    const c = await sendLarge(create, options.token, MiB - 1024, false);
    if (a.status !== 413 || b.status !== 413) throw new Error(`a 20 MiB create answered ${a.status} / ${b.status}, not 413`);
    if (c.status !== 400) throw new Error(`a 1 MiB subject answered ${c.status}, not 400`);
    declared.push(a.ms);
    streamed.push(b.ms);
    underLimit.push(c.ms);
  }
  figures.push(figureOf('20 MiB subject, Content-Length: 413 after', declared, 'ms'));
  figures.push(figureOf('20 MiB subject, chunked: 413 after', streamed, 'ms'));
  figures.push(figureOf('1 MiB subject (under the body limit): 400 after', underLimit, 'ms'));

  // (b) Small GETs alone and while two callers keep sending 20 MiB subjects, taking turns round by round.
  const get = `${options.url}/certificates/${options.existingCertificate}?api-version=7.5`;
  const perRound = Math.max(10, Math.round(options.gets / options.rounds));
  await timedGets(get, options.token, Math.min(50, perRound), 4);
  const alone: number[] = [];
  const during: number[] = [];
  let attacks = 0;
  const attacked = async (): Promise<number[]> => {
    let attacking = true;
    const attackers = Array.from({ length: 2 }, async (_, i) => {
      while (attacking) {
        await sendLarge(create, options.token, 20 * MiB, i === 1);
        attacks++;
      }
    });
    const times = await timedGets(get, options.token, perRound, 4);
    attacking = false;
    await Promise.all(attackers);
    return times;
  };
  for (let r = 0; r < options.rounds; r++) {
    if (r % 2 === 0) {
      alone.push(percentile(await timedGets(get, options.token, perRound, 4), 95));
      during.push(percentile(await attacked(), 95));
    } else {
      during.push(percentile(await attacked(), 95));
      alone.push(percentile(await timedGets(get, options.token, perRound, 4), 95));
    }
  }
  figures.push(figureOf(`small GET p95 of ${perRound} per round, alone`, alone, 'ms'));
  figures.push(
    figureOf(`small GET p95 of ${perRound} per round, during 20 MiB creates (${attacks} in all)`, during, 'ms', {
      baseline: statsOf(alone).median,
      baselineUnit: 'ms (alone)',
      ...ratioOf(during, alone),
    }),
  );

  // (c) Four parallel 95 MiB bodies without a token: answered 401 unread, then drained without being kept.
  await new Promise((r) => setTimeout(r, 1000));
  const idle = rssOf(options.pid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(options.pid))), 10);
  const unauthenticated = await Promise.all(Array.from({ length: 4 }, () => sendWholeBodyRaw(create, 95 * MiB)));
  await new Promise((r) => setTimeout(r, 500));
  clearInterval(sampler);
  if (unauthenticated.some((s) => s.status !== 401)) throw new Error(`unauthenticated 95 MiB bodies answered ${unauthenticated.map((s) => s.status).join(', ')}`);
  figures.push({ figure: 'four parallel 95 MiB bodies without a token: 401 after', value: Math.max(...unauthenticated.map((s) => s.ms)), unit: 'ms (slowest)' });
  figures.push({ figure: '  and every byte of them taken (and dropped) by', value: Math.max(...unauthenticated.map((s) => s.writtenMs)), unit: 'ms (slowest)' });
  figures.push({ figure: 'host resident memory, idle', value: idle, unit: 'MiB' });
  figures.push({ figure: 'host resident memory, peak during them', value: peak, unit: 'MiB', baseline: idle, baselineUnit: 'MiB (idle)', target: '≤ idle + 50 MiB' });
  return figures;
}
