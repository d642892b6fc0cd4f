import { parseArgs } from 'node:util';
import {
  ASSUMPTIONS,
  type DayReport,
  type Fleet,
  LIMIT_NAMES,
  LIMITS,
  MEASURED_AT,
  PRICES_USD,
  type UnitCosts,
  type Utilisation,
  ceilingOf,
  createCost,
  listPageCost,
  readCost,
  renewalCost,
  simulateDay,
  sweepCapacities,
  tightest,
} from './scale-model';

/**
 * `npm run scale:sim [-- flags]`: replays a day of a fleet against the scale model (scripts/scale-model.ts,
 * docs/scale.md) and prints, per hour, each limit's share used at the hour's busiest second, where the first
 * limit is hit, the sweeps' daily capacity, and the day's cost. Deterministic: no randomness.
 * Without --certificates it runs the three fleets of docs/scale.md (10k, 1M, 100M).
 */

const USAGE = `usage: npm run scale:sim -- [--certificates N] [--validity-days D] [--replace-at F] [--renewal-fraction F]
       [--reads-per-cert R] [--list-pages-per-day L] [--peak-factor P] [--key EC|RSA]`;

export const DEFAULT_FLEET: Omit<Fleet, 'certificates'> = {
  validityDays: 90,
  replaceAtFraction: 0.8,
  renewalFraction: 0.9,
  readsPerCertificatePerDay: 4,
  listPagesPerDay: 1_000,
  peakFactor: ASSUMPTIONS.defaultPeakFactor,
  keyType: 'EC',
};

export const DOC_FLEETS: Fleet[] = [
  { ...DEFAULT_FLEET, certificates: 10_000 },
  { ...DEFAULT_FLEET, certificates: 1_000_000 },
  { ...DEFAULT_FLEET, certificates: 100_000_000 },
];

const COLUMNS: [keyof Utilisation, string][] = [
  ['account', 'acct'],
  ['indexLive', 'live'],
  ['indexDeleted', 'deleted'],
  ['statusDue', 'status'],
  ['reconcileDue', 'reconc'],
  ['lifetimeDue', 'lifetime'],
  ['issuerQueue', 'queue'],
  ['instances', 'inst'],
  ['statusSweep', 'stSweep'],
  ['lifetimeSweep', 'ltSweep'],
];

function rate(perSecond: number): string {
  if (perSecond === 0) return '0';
  if (perSecond < 0.01) return perSecond.toExponential(1);
  if (perSecond < 10) return perSecond.toFixed(2);
  return Math.round(perSecond).toLocaleString('en-US');
}

function percent(share: number): string {
  const p = share * 100;
  if (p < 0.1) return '<0.1%';
  return `${p < 10 ? p.toFixed(1) : Math.round(p).toLocaleString('en-US')}%`;
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function usd(n: number): string {
  if (n === 0) return '$0';
  if (n < 0.01) return `$${n.toPrecision(2)}`;
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' ');
}

export function formatDay(report: DayReport): string {
  const { fleet, work, sweeps, cost } = report;
  const lines: string[] = [];
  lines.push(
    `Fleet of ${count(fleet.certificates)} certificates (${fleet.keyType}), ${fleet.validityDays}-day validity replaced at ${fleet.replaceAtFraction * 100}%, ` +
      `${fleet.renewalFraction * 100}% by AutoRenew; ${fleet.readsPerCertificatePerDay} reads/cert/day, ${count(fleet.listPagesPerDay)} list pages/day, peak factor ${fleet.peakFactor}`,
  );
  lines.push(
    `Per day: ${count(work.createsPerDay)} creates, ${count(work.renewalsPerDay)} renewals, ${count(work.readsPerDay)} reads, ${count(work.listPagesPerDay)} list pages`,
  );
  lines.push('Share of each limit used at the busiest second of each hour (UTC):');
  const widths = [4, 9, 9, 10, 7, ...COLUMNS.map(() => 8), 6];
  lines.push(pad(['hour', 'creates/s', 'renews/s', 'reads/s', 'lists/s', ...COLUMNS.map(([, label]) => label), 'inst#'], widths));
  for (const h of report.hours) {
    lines.push(
      pad(
        [
          String(h.hour).padStart(2, '0'),
          rate(h.peak.createsPerSecond),
          rate(h.peak.renewalsPerSecond),
          rate(h.peak.readsPerSecond),
          rate(h.peak.listPagesPerSecond),
          ...COLUMNS.map(([key]) => percent(h.utilisation[key])),
          h.utilisation.instances * LIMITS.maxInstances < 10 ? (h.utilisation.instances * LIMITS.maxInstances).toFixed(1) : count(h.utilisation.instances * LIMITS.maxInstances),
        ],
        widths,
      ),
    );
  }
  const busiest = report.busiest.tightest;
  if (report.firstLimit) {
    lines.push(
      `FIRST LIMIT HIT at ${String(report.firstLimit.hour).padStart(2, '0')}:00: ${LIMIT_NAMES[report.firstLimit.limit]} at ${percent(report.firstLimit.share)}; ` +
        `busiest hour ${String(report.busiest.hour).padStart(2, '0')}:00 needs ${percent(busiest.share)} of ${LIMIT_NAMES[busiest.limit]}.`,
    );
  } else {
    lines.push(
      `No limit hit. Tightest: ${LIMIT_NAMES[busiest.limit]} at ${percent(busiest.share)} (${String(report.busiest.hour).padStart(2, '0')}:00); ` +
        `the fleet could grow about ${Math.floor(1 / busiest.share).toLocaleString('en-US')}× before it is hit.`,
    );
  }
  const hard = report.firstStorageOrComputeLimit;
  const hardest = report.hours.map((h) => ({ hour: h.hour, ...tightest(h.utilisation, false) })).reduce((a, b) => (b.share > a.share ? b : a));
  lines.push(
    hard
      ? `First storage or compute limit: ${LIMIT_NAMES[hard.limit]} at ${String(hard.hour).padStart(2, '0')}:00 (${percent(hard.share)}); at its busiest, ${String(hardest.hour).padStart(2, '0')}:00, ${percent(hardest.share)}.`
      : `Storage and compute: tightest ${LIMIT_NAMES[hardest.limit]} at ${percent(hardest.share)} (${String(hardest.hour).padStart(2, '0')}:00).`,
  );
  for (const [name, sweep] of [['Status sweep', sweeps.status], ['Lifetime sweep', sweeps.lifetime]] as const) {
    const share = sweep.secondsNeeded / sweep.secondsPerDay;
    lines.push(
      `${name}: ${count(sweep.duePerDay)} entries due/day take ${count(sweep.secondsNeeded)} s of the ${count(sweep.secondsPerDay)} s its runs have ` +
        `(${percent(share)}; ≈ ${count(sweep.capacityPerDay)} entries a day at this mix)` +
        (share >= 1 ? ' -> FALLS BEHIND: the backlog grows every day.' : '.'),
    );
  }
  lines.push(
    `Day's cost: ${count(cost.tableTransactions)} table transactions ${usd(cost.usd.tables)}, ${count(cost.queueOperations)} queue operations ${usd(cost.usd.queues)}, ` +
      `${count(cost.executions)} executions ${usd(cost.usd.executions)}, ${count(cost.gbSeconds)} GB-s ${usd(cost.usd.gbSeconds)}; total ${usd(cost.usd.total)} ` +
      `(list prices, no free grant, storage capacity not included).`,
  );
  return lines.join('\n');
}

/** For each kind of work alone: its first three limits and the rate at which each is reached. */
export function formatCeilings(keyType: Fleet['keyType'] = 'EC'): string {
  const lines = [`Each kind of work alone (${keyType}), sustained: the rate at which it reaches its first storage or compute limits, then the sweeps`];
  const say = (c: { limit: keyof Utilisation; perSecond: number }) => `${rate(c.perSecond)}/s ${LIMIT_NAMES[c.limit]}`;
  for (const kind of ['create', 'renewal', 'read', 'listPage'] as const) {
    const limits = ceilingOf(kind, keyType, { sweeps: false }).slice(0, 3).map(say).join('; then ');
    const sweeps = ceilingOf(kind, keyType).filter((c) => c.limit === 'statusSweep' || c.limit === 'lifetimeSweep');
    lines.push(`  ${kind.padEnd(9)} ${limits}${sweeps.length ? ` | sweeps: ${sweeps.map(say).join(', ')}` : ''}`);
  }
  return lines.join('\n');
}

/** What each kind of sweep entry alone lets a run and a day take, draining, against one batch a run before. */
export function formatSweepCapacities(): string {
  const lines = [
    `Sweep capacity, one kind of entry alone (runs drain ${LIMITS.lifetimeSweep.budgetSeconds} s, ${LIMITS.sweepConcurrency} at a time; before: one batch a run, one by one):`,
    '                              per run        before   per day          before',
  ];
  const row = (label: string, c: ReturnType<typeof sweepCapacities>['statusSettle']) =>
    `  ${label.padEnd(26)} ${count(c.perRun).padStart(10)} ${count(c.beforePerRun).padStart(13)} ${count(c.perDay).padStart(11)} ${count(c.beforePerDay).padStart(15)}`;
  const ec = sweepCapacities('EC');
  lines.push(row('status entry settled', ec.statusSettle), row('lifetime entry dropped', ec.lifetimeDrop), row('AutoRenew started (EC)', ec.renewalStart));
  lines.push(row('AutoRenew started (RSA)', sweepCapacities('RSA').renewalStart));
  return lines.join('\n');
}

/** Cost per 1,000 of each kind of work, in the two billing regimes of Flex Consumption (docs/scale.md). */
export function formatPerThousand(keyType: Fleet['keyType'] = 'EC'): string {
  const cpu = { create: ASSUMPTIONS.createCpuMs[keyType], read: ASSUMPTIONS.readCpuMs };
  const rows: [string, UnitCosts, number][] = [
    [`created (${keyType})`, createCost(), cpu.create],
    [`renewed (${keyType})`, renewalCost(), cpu.create],
    ['read (GET latest)', readCost(), cpu.read],
    ['list pages', listPageCost(), ASSUMPTIONS.listPageCpuMs],
  ];
  const lines = ['Per 1,000:            table tx  queue ops  executions  storage $  exec $   GB-s busy (=$)      GB-s sparse (=$)'];
  for (const [label, u, cpuMs] of rows) {
    const storage = (u.tables / 10_000) * PRICES_USD.tableTransactionsPer10k + (u.queueOps / 10_000) * PRICES_USD.queueOperationsPer10k;
    const executions = (u.executions / 1_000_000) * PRICES_USD.flexPerMillionExecutions;
    // Busy: instances kept saturated, so a unit bills its CPU time (1 vCPU per instance). Sparse: every
    // execution alone on its instance, billed the 1-second minimum.
    const busyGbs = (cpuMs / 1000) * LIMITS.instanceMemoryGb;
    const sparseGbs = u.executions * PRICES_USD.flexMinimumBillableSeconds * LIMITS.instanceMemoryGb;
    lines.push(
      `${label.padEnd(20)} ${count(u.tables * 1000).padStart(9)} ${count(u.queueOps * 1000).padStart(10)} ${count(u.executions * 1000).padStart(11)} ` +
        `${usd(storage * 1000).padStart(10)} ${usd(executions * 1000).padStart(7)} ${`${count(busyGbs * 1000)} (${usd(busyGbs * 1000 * PRICES_USD.flexGbSecond)})`.padStart(17)} ` +
        `${`${count(sparseGbs * 1000)} (${usd(sparseGbs * 1000 * PRICES_USD.flexGbSecond)})`.padStart(20)}`,
    );
  }
  return lines.join('\n');
}

function fleetOf(argv: string[]): Fleet | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      certificates: { type: 'string' },
      'validity-days': { type: 'string' },
      'replace-at': { type: 'string' },
      'renewal-fraction': { type: 'string' },
      'reads-per-cert': { type: 'string' },
      'list-pages-per-day': { type: 'string' },
      'peak-factor': { type: 'string' },
      key: { type: 'string' },
    },
    strict: true,
  });
  if (values.certificates === undefined) return undefined;
  const number = (flag: string, value: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (value === undefined) return fallback;
    const n = Number(value.replace(/_/g, ''));
    if (!Number.isFinite(n) || n < 0 || n > max) throw new Error(`--${flag} must be a number from 0 to ${max}, not ${value}`);
    return n;
  };
  const key = values.key ?? DEFAULT_FLEET.keyType;
  if (key !== 'EC' && key !== 'RSA') throw new Error(`--key must be EC or RSA, not ${key}`);
  return {
    certificates: number('certificates', values.certificates, 0),
    validityDays: Math.max(1, number('validity-days', values['validity-days'], DEFAULT_FLEET.validityDays)),
    replaceAtFraction: Math.max(0.01, number('replace-at', values['replace-at'], DEFAULT_FLEET.replaceAtFraction, 1)),
    renewalFraction: number('renewal-fraction', values['renewal-fraction'], DEFAULT_FLEET.renewalFraction, 1),
    readsPerCertificatePerDay: number('reads-per-cert', values['reads-per-cert'], DEFAULT_FLEET.readsPerCertificatePerDay),
    listPagesPerDay: number('list-pages-per-day', values['list-pages-per-day'], DEFAULT_FLEET.listPagesPerDay),
    peakFactor: Math.max(1, number('peak-factor', values['peak-factor'], DEFAULT_FLEET.peakFactor)),
    keyType: key,
  };
}

export function main(argv: string[]): Promise<number> {
  let fleet: Fleet | undefined;
  try {
    fleet = fleetOf(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return Promise.resolve(2);
  }
  const out: string[] = [`Scale model, counts from ${MEASURED_AT}.`, ''];
  for (const f of fleet ? [fleet] : DOC_FLEETS) out.push(formatDay(simulateDay(f)), '');
  out.push(formatCeilings('EC'), formatCeilings('RSA'), '', formatSweepCapacities(), '', formatPerThousand(fleet?.keyType ?? 'EC'));
  process.stdout.write(`${out.join('\n')}\n`);
  return Promise.resolve(0);
}
