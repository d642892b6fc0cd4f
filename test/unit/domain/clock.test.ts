import { offsetClock } from '../../../shared/domain/clock';

describe('offsetClock', () => {
  const base = () => new Date('2026-01-01T00:00:00Z');

  it('moves every reading by the offset, forward or back', () => {
    expect(offsetClock(3600, base)().toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(offsetClock(-86400, base)().toISOString()).toBe('2025-12-31T00:00:00.000Z');
  });

  it('is the clock itself at 0', () => {
    expect(offsetClock(0, base)).toBe(base);
  });
});
