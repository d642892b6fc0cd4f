import type { CertificateRow } from './certificate-row';

/**
 * The expiry timeline's geometry, apart from drawing it: one bar per issued certificate (its validity
 * window), grouped by issuer, with today and each renewal point placed on one time axis. States are named
 * so the drawing can mark them with text and shape as well as colour.
 */

export const DAY_MS = 86_400_000;
export const EXPIRING_SOON_DAYS = 30;

/** The strip under the bars that holds the "today" label, and that label's width at 12 px bold, roughly. */
const TODAY_STRIP_HEIGHT = 16;
const TODAY_LABEL_WIDTH = 40;

export type BarState = 'expired' | 'expiring' | 'valid';

export interface TimelineBar {
  name: string;
  state: BarState;
  x: number;
  width: number;
  y: number;
  /** Where the next renewal is due, when it falls on the axis. */
  renewX?: number;
  /** What the bar says beside its name: `expired 3 days ago`, `expires in 12 days`, `valid to 2027-01-31`. */
  note: string;
}

export interface TimelineGroup {
  issuer: string;
  /** Baseline of the group's heading. */
  y: number;
  bars: TimelineBar[];
}

export interface TimelineLayout {
  width: number;
  height: number;
  /** Where the axis starts (left edge of the plot); names sit to its left. */
  plotLeft: number;
  plotRight: number;
  todayX: number;
  /**
   * Where "today" is written: in a strip of its own under the last bar, so it never lands on a bar's note
   * ("valid to …" sits just under each bar); anchored at its end when the line is near the right edge.
   */
  todayLabel: { x: number; y: number; anchor: 'start' | 'end' };
  ticks: { x: number; label: string }[];
  groups: TimelineGroup[];
  /** Certificates left out: nothing issued yet, so no window to draw. */
  withoutWindow: string[];
}

export interface TimelineOptions {
  now: number;
  width: number;
  rowHeight?: number;
  headingHeight?: number;
  axisHeight?: number;
}

export function barStateOf(expires: number, now: number): BarState {
  if (expires <= now) return 'expired';
  return expires - now <= EXPIRING_SOON_DAYS * DAY_MS ? 'expiring' : 'valid';
}

function noteOf(state: BarState, expires: number, now: number): string {
  const days = Math.round(Math.abs(expires - now) / DAY_MS);
  if (state === 'expired') return `expired ${days} day${days === 1 ? '' : 's'} ago`;
  if (state === 'expiring') return `expires in ${days} day${days === 1 ? '' : 's'}`;
  return `valid to ${new Date(expires).toISOString().slice(0, 10)}`;
}

/** Month steps that keep the axis to a handful of labels whatever the span. */
const TICK_MONTHS = [1, 2, 3, 6, 12, 24, 60, 120];

function ticksOf(start: number, end: number, maxTicks: number): { time: number; label: string }[] {
  const spanMonths = (end - start) / (30.44 * DAY_MS);
  const step = TICK_MONTHS.find((months) => spanMonths / months <= maxTicks) ?? 120;
  const first = new Date(start);
  let year = first.getUTCFullYear();
  let month = first.getUTCMonth() + 1;
  // Align to the step: whole years for steps of a year or more, else months that are multiples of the step.
  if (step >= 12) {
    year += 1;
    month = 0;
    year = Math.ceil(year / (step / 12)) * (step / 12);
  } else {
    month = Math.ceil(month / step) * step;
  }
  const ticks: { time: number; label: string }[] = [];
  for (let i = 0; i < 200; i++) {
    const time = Date.UTC(year, month, 1);
    if (time > end) break;
    if (time >= start) {
      const date = new Date(time);
      ticks.push({ time, label: step >= 12 ? String(date.getUTCFullYear()) : date.toISOString().slice(0, 7) });
    }
    month += step;
  }
  return ticks;
}

export function timelineLayout(rows: readonly CertificateRow[], options: TimelineOptions): TimelineLayout {
  const { now, width } = options;
  const rowHeight = options.rowHeight ?? 28;
  const headingHeight = options.headingHeight ?? 26;
  const axisHeight = options.axisHeight ?? 24;
  // Names take a third of a phone screen, less on a wide one.
  const plotLeft = Math.round(Math.min(220, Math.max(110, width * 0.28)));
  const plotRight = width - 12;
  const placed = rows.filter((r) => r.notBefore !== undefined && r.expires !== undefined);
  const withoutWindow = rows.filter((r) => !placed.includes(r)).map((r) => r.name);

  const times = placed.flatMap((r) => [r.notBefore as number, r.expires as number]);
  let start = Math.min(now, ...times);
  let end = Math.max(now + EXPIRING_SOON_DAYS * DAY_MS, ...times);
  const pad = (end - start) * 0.03;
  start -= pad;
  end += pad;
  const xOf = (time: number) => plotLeft + ((time - start) / (end - start)) * (plotRight - plotLeft);

  const byIssuer = new Map<string, CertificateRow[]>();
  for (const row of [...placed].sort((a, b) => (a.expires as number) - (b.expires as number) || a.name.localeCompare(b.name))) {
    const issuer = row.issuer || '(no issuer)';
    byIssuer.set(issuer, [...(byIssuer.get(issuer) ?? []), row]);
  }

  let y = axisHeight;
  const groups: TimelineGroup[] = [...byIssuer.keys()].sort((a, b) => a.localeCompare(b)).map((issuer) => {
    y += headingHeight;
    const group: TimelineGroup = { issuer, y, bars: [] };
    for (const row of byIssuer.get(issuer) ?? []) {
      const notBefore = row.notBefore as number;
      const expires = row.expires as number;
      const state = barStateOf(expires, now);
      const x = xOf(notBefore);
      const bar: TimelineBar = { name: row.name, state, x, width: Math.max(2, xOf(expires) - x), y, note: noteOf(state, expires, now) };
      const renewAt = row.nextAction?.dueAt ?? row.nextAction?.triggerAt;
      if (renewAt !== undefined && renewAt >= start && renewAt <= end) bar.renewX = xOf(renewAt);
      group.bars.push(bar);
      y += rowHeight;
    }
    return group;
  });

  const maxTicks = Math.max(2, Math.floor((plotRight - plotLeft) / 70));
  const todayX = xOf(now);
  const nearRightEdge = todayX + TODAY_LABEL_WIDTH > plotRight;
  return {
    width,
    height: y + 8 + TODAY_STRIP_HEIGHT,
    plotLeft,
    plotRight,
    todayX,
    todayLabel: { x: nearRightEdge ? todayX - 3 : todayX + 3, y: y + 8 + TODAY_STRIP_HEIGHT - 4, anchor: nearRightEdge ? 'end' : 'start' },
    ticks: ticksOf(start, end, maxTicks).map((t) => ({ x: xOf(t.time), label: t.label })),
    groups,
    withoutWindow,
  };
}
