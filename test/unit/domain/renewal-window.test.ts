import { nextRenewalInfoCheck, renewalTimeInWindow } from '../../../shared/domain/renewal-window';

const HOUR = 3600;

describe('the renewal window (RFC 9773)', () => {
  it('picks one time per certificate version inside the window, the same at every check, spread across versions', () => {
    const window = { start: 1_000_000, end: 1_000_000 + 48 * HOUR };
    const times = Array.from({ length: 200 }, (_, i) => renewalTimeInWindow(window, 'web', `v${i}`));
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(window.start);
      expect(t).toBeLessThan(window.end);
    }
    expect(renewalTimeInWindow(window, 'WEB', 'v7')).toBe(times[7]);
    // Spread, not bunched: both halves of the window are used.
    expect(times.filter((t) => t < window.start + 24 * HOUR).length).toBeGreaterThan(60);
    expect(times.filter((t) => t >= window.start + 24 * HOUR).length).toBeGreaterThan(60);
  });

  it('asks again after the CA\'s Retry-After, kept within an hour and a day; six hours when it gave none', () => {
    expect(nextRenewalInfoCheck(0, 3 * HOUR)).toBe(3 * HOUR);
    expect(nextRenewalInfoCheck(0, 60)).toBe(HOUR);
    expect(nextRenewalInfoCheck(0, 7 * 24 * HOUR)).toBe(24 * HOUR);
    expect(nextRenewalInfoCheck(100, undefined)).toBe(100 + 6 * HOUR);
  });
});
