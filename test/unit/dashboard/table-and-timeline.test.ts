import type { CertificateRow } from '../../../functions/dashboard/page/model/certificate-row';
import { certificateRowOf } from '../../../functions/dashboard/page/model/certificate-row';
import { filterRows, nextSortOrder, sortRows } from '../../../functions/dashboard/page/model/table';
import { DAY_MS, timelineLayout } from '../../../functions/dashboard/page/model/timeline';

const NOW = Date.UTC(2026, 5, 15);

function row(name: string, issuer: string, days: { from: number; to: number } | undefined, extra: Partial<CertificateRow> = {}): CertificateRow {
  return {
    name,
    issuer,
    subject: `CN=${name}.contoso.com`,
    sans: [`${name}.contoso.com`],
    keyType: 'RSA 2048',
    enabled: true,
    pendingOnly: days === undefined,
    hasPending: false,
    ...(days ? { notBefore: NOW + days.from * DAY_MS, expires: NOW + days.to * DAY_MS } : {}),
    ...extra,
  };
}

const rows = [row('web', 'Self', { from: -300, to: 65 }), row('api', 'acme-le', { from: -80, to: 10 }), row('old', 'Self', { from: -400, to: -5 }), row('new', 'corp-ca', undefined)];

describe('certificate table: filter and sort', () => {
  it('keeps rows that contain every typed word, in any field, any case', () => {
    expect(filterRows(rows, 'SELF').map((r) => r.name)).toEqual(['web', 'old']);
    expect(filterRows(rows, 'self web.contoso').map((r) => r.name)).toEqual(['web']);
    expect(filterRows(rows, '  ').map((r) => r.name)).toEqual(['web', 'api', 'old', 'new']);
    expect(filterRows(rows, 'nothing-matches')).toEqual([]);
  });

  it('sorts by expiry either way, certificates not issued yet last both times', () => {
    expect(sortRows(rows, { column: 'expires', direction: 'ascending' }).map((r) => r.name)).toEqual(['old', 'api', 'web', 'new']);
    expect(sortRows(rows, { column: 'expires', direction: 'descending' }).map((r) => r.name)).toEqual(['web', 'api', 'old', 'new']);
    expect(sortRows(rows, { column: 'issuer', direction: 'ascending' }).map((r) => r.name)).toEqual(['api', 'new', 'old', 'web']);
  });

  it('reverses on a second click of the same column and starts ascending on another', () => {
    expect(nextSortOrder({ column: 'name', direction: 'ascending' }, 'name')).toEqual({ column: 'name', direction: 'descending' });
    expect(nextSortOrder({ column: 'name', direction: 'descending' }, 'expires')).toEqual({ column: 'expires', direction: 'ascending' });
  });

  it('reads a row from the bundle and the lifetime: SANs, key type, renewal due, last outcome; no window for a pending-only certificate', () => {
    const issued = certificateRowOf(
      {
        id: 'https://vault.local/certificates/web/abc',
        x5t: 'x',
        attributes: { enabled: true, nbf: 1000, exp: 2000 },
        policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=web', sans: { dns_names: ['web.contoso.com'], emails: ['ops@contoso.com'] } }, issuer: { name: 'Self' } },
      },
      { next_action: { action_type: 'AutoRenew', trigger_at: 1500, due_at: 1600, retry: true }, last_renewal: { outcome: 'failed', at: 1400, error: { code: 'X', message: 'CA down' } } },
    );
    expect(issued).toMatchObject({
      name: 'web',
      issuer: 'Self',
      keyType: 'EC P-256',
      sans: ['web.contoso.com', 'ops@contoso.com'],
      notBefore: 1_000_000,
      expires: 2_000_000,
      nextAction: { action: 'AutoRenew', triggerAt: 1_500_000, dueAt: 1_600_000, retry: true },
      lastRenewal: { outcome: 'failed', at: 1_400_000, error: 'CA down' },
    });
    const pending = certificateRowOf({ id: 'https://vault.local/certificates/new/pending', attributes: { enabled: false, nbf: 1, exp: 2 }, pending: { id: 'x' } });
    expect(pending).toMatchObject({ name: 'new', pendingOnly: true, hasPending: true });
    expect(pending.expires).toBeUndefined();
  });
});

describe('expiry timeline geometry', () => {
  const layout = timelineLayout(
    rows.map((r) => (r.name === 'web' ? { ...r, nextAction: { action: 'AutoRenew', dueAt: NOW + 40 * DAY_MS, retry: false } } : r)),
    { now: NOW, width: 1000 },
  );
  const bar = (name: string) => layout.groups.flatMap((g) => g.bars).find((b) => b.name === name);

  it('groups bars by issuer, in name order, each group ordered by expiry', () => {
    expect(layout.groups.map((g) => [g.issuer, g.bars.map((b) => b.name)])).toEqual([
      ['acme-le', ['api']],
      ['Self', ['old', 'web']],
    ]);
  });

  it('leaves out what has no validity window yet, and says so', () => {
    expect(layout.withoutWindow).toEqual(['new']);
  });

  it('names each state in words: expired, expiring within 30 days, valid', () => {
    expect(bar('old')).toMatchObject({ state: 'expired', note: 'expired 5 days ago' });
    expect(bar('api')).toMatchObject({ state: 'expiring', note: 'expires in 10 days' });
    expect(bar('web')).toMatchObject({ state: 'valid', note: 'valid to 2026-08-19' });
  });

  it('places today, the windows and the renewal point on one axis inside the plot, later times further right', () => {
    const web = bar('web');
    const old = bar('old');
    if (!web || !old) throw new Error('bars missing');
    expect(layout.todayX).toBeGreaterThan(web.x);
    expect(layout.todayX).toBeLessThan(web.x + web.width);
    expect(old.x + old.width).toBeLessThan(layout.todayX);
    expect(web.renewX).toBeGreaterThan(layout.todayX);
    expect(web.renewX).toBeLessThan(web.x + web.width);
    for (const b of [web, old]) {
      expect(b.x).toBeGreaterThanOrEqual(layout.plotLeft);
      expect(b.x + b.width).toBeLessThanOrEqual(layout.plotRight);
    }
    expect(layout.ticks.length).toBeGreaterThan(1);
    expect(layout.ticks.every((t, i, all) => i === 0 || t.x > (all[i - 1]?.x ?? 0))).toBe(true);
  });

  it('fits a phone: the axis keeps to the width and its labels do not crowd', () => {
    const phone = timelineLayout(rows, { now: NOW, width: 360 });
    expect(phone.plotRight).toBeLessThanOrEqual(360);
    expect(phone.ticks.length).toBeLessThanOrEqual(Math.floor((phone.plotRight - phone.plotLeft) / 70));
    expect(phone.groups.flatMap((g) => g.bars).every((b) => b.x >= phone.plotLeft && b.x + b.width <= phone.plotRight)).toBe(true);
  });

  it('writes "today" under the last bar, clear of every bar\'s note, and inside the plot at either edge', () => {
    // A bar's note is drawn just under it (its row's bottom); the label's strip starts below the last row.
    const lastRowBottom = Math.max(...layout.groups.flatMap((g) => g.bars).map((b) => b.y + 28));
    expect(layout.todayLabel.y - 12).toBeGreaterThanOrEqual(lastRowBottom);
    expect(layout.todayLabel.y).toBeLessThanOrEqual(layout.height);
    expect(layout.todayLabel).toMatchObject({ anchor: 'start', x: layout.todayX + 3 });
    // Today at the far right (everything expired long ago): the label turns to the left of the line.
    const late = timelineLayout([row('gone', 'Self', { from: -400, to: -300 })], { now: NOW, width: 360 });
    expect(late.todayX + 40).toBeGreaterThan(late.plotRight);
    expect(late.todayLabel).toMatchObject({ anchor: 'end', x: late.todayX - 3 });
  });
});
