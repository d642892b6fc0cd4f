import { h } from '../dom';
import { formatDate, formatRelative, formatTime } from '../model/format';
import { type SortColumn, type SortOrder, filterRows, nextSortOrder, sortRows } from '../model/table';
import { barStateOf } from '../model/timeline';
import type { CertificateRow } from '../model/certificate-row';
import type { ViewContext } from './context';

const COLUMNS: { column: SortColumn; label: string }[] = [
  { column: 'name', label: 'Name' },
  { column: 'issuer', label: 'Issuer' },
  { column: 'subject', label: 'Subject' },
  { column: 'sans', label: 'SANs' },
  { column: 'keyType', label: 'Key' },
  { column: 'expires', label: 'Expires' },
  { column: 'enabled', label: 'Enabled' },
  { column: 'nextDue', label: 'Renewal' },
];

/** Filter text and sort order survive a refresh (module state, never stored). */
let filter = '';
let order: SortOrder = { column: 'expires', direction: 'ascending' };

function expiryCell(row: CertificateRow, now: number): HTMLElement {
  if (row.expires === undefined) return h('td', { 'data-label': 'Expires' }, row.pendingOnly ? 'not issued yet' : '—');
  const state = barStateOf(row.expires, now);
  const words = state === 'expired' ? 'EXPIRED' : state === 'expiring' ? 'expires soon' : '';
  return h('td', { class: `expiry ${state}`, 'data-label': 'Expires' }, h('time', { datetime: new Date(row.expires).toISOString() }, formatDate(row.expires)), words && h('span', { class: 'badge' }, ` ${words}`));
}

function renewalCell(row: CertificateRow, now: number): HTMLElement {
  const next = row.nextAction;
  const last = row.lastRenewal;
  const due = next?.dueAt ?? next?.triggerAt;
  return h(
    'td',
    { 'data-label': 'Renewal' },
    next ? h('div', {}, `${next.action}${next.retry ? ' (retry)' : ''} ${due !== undefined ? formatRelative(due, now) : ''}`, due !== undefined && h('div', { class: 'muted' }, formatTime(due))) : h('div', { class: 'muted' }, 'no action due'),
    last && h('div', { class: `outcome ${last.outcome}` }, `last: ${last.outcome}${last.at !== undefined ? ` ${formatRelative(last.at, now)}` : ''}`, last.error && h('div', { class: 'muted' }, last.error)),
  );
}

export function certificatesView(context: ViewContext): HTMLElement {
  const { data, now } = context;
  const body = h('tbody');
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const headers = new Map<SortColumn, HTMLElement>();

  const draw = () => {
    const rows = sortRows(filterRows(data.rows, filter), order);
    count.textContent = `${rows.length} of ${data.rows.length} certificate${data.rows.length === 1 ? '' : 's'}`;
    body.replaceChildren(
      ...rows.map((row) =>
        h(
          'tr',
          { 'data-name': row.name },
          h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => context.showDetail(row.name) }, row.name)),
          h('td', { 'data-label': 'Issuer' }, row.issuer),
          h('td', { class: 'wrap', 'data-label': 'Subject' }, row.subject),
          h('td', { class: 'wrap', 'data-label': 'SANs' }, row.sans.join(', ') || '—'),
          h('td', { 'data-label': 'Key' }, row.keyType),
          expiryCell(row, now),
          h('td', { 'data-label': 'Enabled' }, row.enabled ? 'yes' : 'no', row.hasPending ? h('div', { class: 'muted' }, 'request pending') : ''),
          renewalCell(row, now),
        ),
      ),
    );
    for (const [column, th] of headers) {
      th.setAttribute('aria-sort', column === order.column ? order.direction : 'none');
      const arrow = th.querySelector('.arrow');
      if (arrow) arrow.textContent = column === order.column ? (order.direction === 'ascending' ? ' ▲' : ' ▼') : '';
    }
  };

  const head = h(
    'tr',
    {},
    ...COLUMNS.map(({ column, label }) => {
      const th = h(
        'th',
        { scope: 'col' },
        h('button', { type: 'button', class: 'sort', onclick: () => ((order = nextSortOrder(order, column)), draw()) }, label, h('span', { class: 'arrow', 'aria-hidden': 'true' })),
      );
      headers.set(column, th);
      return th;
    }),
  );
  const input = h('input', { id: 'filter', type: 'search', value: filter, autocomplete: 'off', oninput: (event: Event) => ((filter = (event.target as HTMLInputElement).value), draw()) });
  draw();
  return h(
    'section',
    { 'aria-labelledby': 'certificates-heading' },
    h('h2', { id: 'certificates-heading' }, 'Certificates'),
    h('div', { class: 'toolbar' }, h('label', { for: 'filter' }, 'Filter'), input, count),
    data.rows.length === 0 ? h('p', {}, 'No certificates yet.') : h('div', { class: 'scroll' }, h('table', { class: 'certificates stack' }, h('thead', {}, head), body)),
  );
}
