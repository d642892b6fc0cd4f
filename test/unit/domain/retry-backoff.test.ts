import { retryDelaySeconds } from '../../../shared/domain/retry-backoff';

const policy = { maxAttempts: 8, baseDelaySeconds: 5, maxDelaySeconds: 60 };

describe('retry delays (exponential backoff, full jitter)', () => {
  it('draws each delay uniformly from 0 to a ceiling that doubles per failure, in whole seconds of at least 1', () => {
    const top = () => 0.9999;
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(policy, n, top))).toEqual([5, 10, 20, 40]);
    expect(retryDelaySeconds(policy, 3, () => 0.5)).toBe(10);
    expect(retryDelaySeconds(policy, 3, () => 0.26)).toBe(6);
    // The bottom of the range would be an immediate retry; the queue's smallest delay is a second.
    expect(retryDelaySeconds(policy, 3, () => 0)).toBe(1);
  });

  it('never exceeds the maximum delay, however many failures came before', () => {
    expect(retryDelaySeconds(policy, 5, () => 0.9999)).toBe(60);
    expect(retryDelaySeconds(policy, 2000, () => 0.9999)).toBe(60);
  });
});
