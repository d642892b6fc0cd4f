/** Domain code never reads the time itself; it is handed a clock so tests control time. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export function unixSeconds(clock: Clock): number {
  return Math.floor(clock().getTime() / 1000);
}

/**
 * The system clock moved by a fixed number of seconds (CLOCK_OFFSET_SECONDS, outside Azure only): time still
 * runs at its real rate, so every instance and every restart agree on "now", and it never runs backwards.
 */
export function offsetClock(offsetSeconds: number, base: Clock = systemClock): Clock {
  if (offsetSeconds === 0) return base;
  const offsetMs = offsetSeconds * 1000;
  return () => new Date(base().getTime() + offsetMs);
}
