const DAY_MS = 86_400_000;

/** `2026-07-14 09:30 UTC`: one unambiguous form for every time on the page. */
export function formatTime(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDate(ms: number | undefined): string {
  return ms === undefined ? '—' : new Date(ms).toISOString().slice(0, 10);
}

/** `in 3 days`, `2 h ago`, `in 59 min`: the span between `now` and `ms` in its largest whole unit. */
export function formatRelative(ms: number, now: number): string {
  const delta = ms - now;
  const span = Math.abs(delta);
  const text =
    span >= 2 * DAY_MS ? `${Math.floor(span / DAY_MS)} days` : span >= 3_600_000 ? `${Math.floor(span / 3_600_000)} h` : `${Math.max(0, Math.floor(span / 60_000))} min`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

/** `3 days`, `5 h`, `12 min`: how long something has existed. */
export function formatAge(ms: number, now: number): string {
  return formatRelative(ms, now).replace(/ ago$/, '').replace(/^in /, '');
}
