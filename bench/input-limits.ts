import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { percentile } from './measure';

/**
 * Section 6 of `npm run bench`: input limits are enforced before work (issue 11). How long an oversized field
 * takes to be refused, whether small reads slow down meanwhile, and what unauthenticated giant bodies cost
 * the host in memory. Figures only; nothing here asserts a time.
 */

/** One printed figure of the bench: what run.ts reports and writes to bench-results.json. */
export interface BenchFigure {
  figure: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineUnit?: string;
  ratio?: number;
  target?: string;
}

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

export async function inputLimits(options: { url: string; token: string; pid: number; existingCertificate: string }): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const create = `${options.url}/certificates/limits-bench/create?api-version=7.5`;
  const MiB = 1024 * 1024;

  // (a) A 20 MiB field: declared (Content-Length) and streamed (chunked); and a field under the body limit
  // that the schema refuses (the work a body within the limit can cause).
  const declared: number[] = [];
  const streamed: number[] = [];
  for (let i = 0; i < 5; i++) {
    const a = await sendLarge(create, options.token, 20 * MiB, false);
    const b = await sendLarge(create, options.token, 20 * MiB, true);
    if (a.status !== 413 || b.status !== 413) throw new Error(`a 20 MiB create answered ${a.status} / ${b.status}, not 413`);
    declared.push(a.ms);
    streamed.push(b.ms);
  }
  const underLimit: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c = await sendLarge(create, options.token, MiB - 1024, false);
    if (c.status !== 400) throw new Error(`a 1 MiB subject answered ${c.status}, not 400`);
    underLimit.push(c.ms);
  }
  const median = (xs: number[]) => percentile([...xs].sort((x, y) => x - y), 50);
  figures.push({ figure: '20 MiB subject, Content-Length: 413 after', value: median(declared), unit: 'ms (median of 5)' });
  figures.push({ figure: '20 MiB subject, chunked: 413 after', value: median(streamed), unit: 'ms (median of 5)' });
  figures.push({ figure: '1 MiB subject (under the body limit): 400 after', value: median(underLimit), unit: 'ms (median of 5)' });

  // (b) Small GETs alone, then while two callers keep sending 20 MiB subjects.
  const get = `${options.url}/certificates/${options.existingCertificate}?api-version=7.5`;
  await timedGets(get, options.token, 50, 4);
  const alone = await timedGets(get, options.token, 300, 4);
  let attacking = true;
  const attackers = Array.from({ length: 2 }, async (_, i) => {
    let sent = 0;
    while (attacking) {
      await sendLarge(create, options.token, 20 * MiB, i === 1);
      sent++;
    }
    return sent;
  });
  const during = await timedGets(get, options.token, 300, 4);
  attacking = false;
  const attacks = (await Promise.all(attackers)).reduce((a, b) => a + b, 0);
  figures.push({ figure: 'small GET p95, alone', value: percentile(alone, 95), unit: 'ms' });
  figures.push({
    figure: `small GET p95, during ${attacks} 20 MiB creates`,
    value: percentile(during, 95),
    unit: 'ms',
    baseline: percentile(alone, 95),
    baselineUnit: 'ms (alone)',
    ratio: percentile(during, 95) / percentile(alone, 95),
  });

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
