import { h } from '../dom';
import { formatAge } from '../model/format';
import { type PendingRow, canCancel, canDelete, retryStateOf } from '../model/pending';
import { act, confirmed } from './act';
import type { ViewContext } from './context';

function actions(context: ViewContext, row: PendingRow): HTMLElement {
  if (!context.canAct) return h('td', { class: 'muted', 'data-label': 'Actions' }, '—');
  const path = `/certificates/${encodeURIComponent(row.name)}/pending`;
  const cancel: HTMLButtonElement = h('button', {
    type: 'button',
    'aria-label': `Cancel the request for ${row.name}`,
    onclick: () => act(context, cancel, `Cancellation requested for ${row.name}.`, () => context.api.call('PATCH', path, { cancellation_requested: true })),
  }, 'Cancel');
  const remove: HTMLButtonElement = h('button', {
    type: 'button',
    class: 'danger',
    'aria-label': `Delete the pending request of ${row.name}`,
    onclick: () => {
      if (confirmed(`Delete the pending request of ${row.name}? The certificate stays as it is.`)) void act(context, remove, `Pending request of ${row.name} deleted.`, () => context.api.call('DELETE', path));
    },
  }, 'Delete');
  return h('td', { class: 'actions', 'data-label': 'Actions' }, canCancel(row) && cancel, canDelete(row) && remove);
}

export function pendingView(context: ViewContext): HTMLElement {
  const { data, now } = context;
  return h(
    'section',
    { 'aria-labelledby': 'pending-heading' },
    h('h2', { id: 'pending-heading' }, 'Pending operations'),
    data.pending.length === 0
      ? h('p', {}, 'No pending operations.')
      : h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            { class: 'pending stack' },
            h('thead', {}, h('tr', {}, ...['Certificate', 'Status', 'Issuer', 'Age', 'Retry state', 'Last error', 'Actions'].map((label) => h('th', { scope: 'col' }, label)))),
            h(
              'tbody',
              {},
              ...data.pending.map((row) =>
                h(
                  'tr',
                  { 'data-name': row.name },
                  h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => context.showDetail(row.name) }, row.name)),
                  h('td', { class: `status ${row.status}`, 'data-label': 'Status' }, row.status, row.cancellationRequested && row.status === 'inProgress' ? ' (cancelling)' : '', row.statusDetails && h('div', { class: 'muted' }, row.statusDetails)),
                  h('td', { 'data-label': 'Issuer' }, row.issuer),
                  h('td', { 'data-label': 'Age' }, row.createdAt !== undefined ? formatAge(row.createdAt, now) : '—'),
                  h('td', { class: 'retry', 'data-label': 'Retry state' }, retryStateOf(row, now)),
                  h('td', { class: 'wrap', 'data-label': 'Last error' }, row.error ?? row.lastError ?? '—'),
                  actions(context, row),
                ),
              ),
            ),
          ),
        ),
  );
}
