import type { CertificatePolicy } from '../../../shared/domain/certificate-policy';
import { lifetimeDueOf } from '../../../shared/domain/lifetime-trigger';

const DAY = 86_400;
const T0 = 1_800_000_000;

function subject(trigger: { daysBeforeExpiry: number } | { lifetimePercentage: number }, latest: { notBefore: number; expires: number; created?: number }) {
  const policy = { lifetimeActions: [{ action: 'AutoRenew', trigger }] } as unknown as CertificatePolicy;
  return { name: 'c', policy, latestVersion: 'v1', latest };
}

describe('lifetimeDueOf: a policy asking for more time before expiry than the CA gives', () => {
  it('is due two thirds of the way to expiry, not at issuance: a 6-day certificate under days_before_expiry 30', () => {
    const due = lifetimeDueOf(subject({ daysBeforeExpiry: 30 }, { notBefore: T0, expires: T0 + 6 * DAY, created: T0 + 5 }));
    expect(due?.triggerAt).toBe(T0 + 5 + Math.floor((6 * DAY - 5) * 2 / 3));
    expect(due!.dueAt).toBeLessThan(T0 + 6 * DAY);
  });

  it('counts from when this vault made the version when the CA\'s clock is behind (a moved test clock), so a renewal is not due at once', () => {
    const created = T0 + 5 * DAY;
    const due = lifetimeDueOf(subject({ daysBeforeExpiry: 30 }, { notBefore: T0, expires: T0 + 6 * DAY, created }));
    expect(due?.triggerAt).toBe(created + 16 * 3600);
  });

  it('leaves a trigger inside the validity as the policy says, even one already past when the version was made (an import)', () => {
    expect(lifetimeDueOf(subject({ lifetimePercentage: 50 }, { notBefore: T0, expires: T0 + 90 * DAY, created: T0 + 60 }))?.triggerAt).toBe(T0 + 45 * DAY);
    expect(lifetimeDueOf(subject({ daysBeforeExpiry: 30 }, { notBefore: T0, expires: T0 + 90 * DAY, created: T0 + 80 * DAY }))?.triggerAt).toBe(T0 + 60 * DAY);
  });
});
