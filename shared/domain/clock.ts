/** Domain code never reads the time itself; it is handed a clock so tests control time. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export function unixSeconds(clock: Clock): number {
  return Math.floor(clock().getTime() / 1000);
}
