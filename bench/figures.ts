import { round } from './measure';

/** One printed figure of the bench: what run.ts reports and writes to bench-results.json. */
export interface BenchFigure {
  figure: string;
  /** The median of the rounds when `spread` is given; otherwise the one value measured. */
  value: number;
  unit: string;
  /** Lowest and highest of the rounds the median comes from, and how many rounds there were. */
  spread?: { min: number; max: number; rounds: number };
  baseline?: number;
  baselineUnit?: string;
  /** With rounds: the median of the per-round ratios (each round's subject against the same round's baseline). */
  ratio?: number;
  ratioSpread?: { min: number; max: number };
  target?: string;
  /** Free text printed after the figure, e.g. the storage requests by kind. */
  detail?: string;
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function statsOf(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n };
  const middle = Math.floor(n / 2);
  const median = n % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[n - 1] as number, n };
}

/** A figure from per-round values: the median, with the rounds' range as its spread. */
export function figureOf(figure: string, values: readonly number[], unit: string, more: Partial<BenchFigure> = {}): BenchFigure {
  const stats = statsOf(values);
  return { figure, value: stats.median, unit, spread: { min: stats.min, max: stats.max, rounds: stats.n }, ...more };
}

/** Ratios measured round by round: their median and range, for a figure's `ratio` and `ratioSpread`. */
export function ratioOf(subject: readonly number[], baseline: readonly number[]): Pick<BenchFigure, 'ratio' | 'ratioSpread'> {
  const stats = statsOf(subject.map((value, i) => value / (baseline[i] as number)));
  return { ratio: stats.median, ratioSpread: { min: stats.min, max: stats.max } };
}

/** How far the rounds stray from their median, as ± half the range in percent of the median. */
export function spreadPercent(row: BenchFigure): number | undefined {
  if (!row.spread || row.value === 0) return undefined;
  return ((row.spread.max - row.spread.min) / 2 / Math.abs(row.value)) * 100;
}

function significant(value: number): number {
  const magnitude = Math.abs(value);
  return round(value, magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3);
}

/** `2637 req/s [2510–2702, ±4 %, 5 rounds]`: the median, the range of its rounds and the half-range in percent. */
export function formatValue(row: BenchFigure): string {
  const value = `${significant(row.value)} ${row.unit}`;
  if (!row.spread || row.spread.rounds < 2) return value;
  const percent = spreadPercent(row);
  return `${value} [${significant(row.spread.min)}–${significant(row.spread.max)}${percent !== undefined ? `, ±${round(percent, 1)} %` : ''}, ${row.spread.rounds} rounds]`;
}

export function formatRatio(row: BenchFigure): string {
  if (row.ratio === undefined) return '';
  const range = row.ratioSpread && (row.spread?.rounds ?? 0) >= 2 ? ` [${round(row.ratioSpread.min, 3)}–${round(row.ratioSpread.max, 3)}]` : '';
  return `${round(row.ratio, 3)}${range}`;
}

export function formatRow(row: BenchFigure): string {
  const baseline = row.baseline !== undefined ? ` vs ${significant(row.baseline)} ${row.baselineUnit ?? ''}` : '';
  const ratio = row.ratio !== undefined ? `, ratio ${formatRatio(row)}` : '';
  const target = row.target ? ` (target ${row.target})` : '';
  const detail = row.detail ? ` (${row.detail})` : '';
  return `  ${row.figure}: ${formatValue(row)}${baseline}${ratio}${target}${detail}`;
}
