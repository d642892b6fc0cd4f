import { h } from '../dom';
import { type DeletedItemWire, type DeletedRow, deletedRowOf } from '../model/deleted';
import { formatTime } from '../model/format';
import { act, confirmed } from './act';
import type { ViewContext } from './context';

function actionsOf(context: ViewContext, row: DeletedRow): HTMLElement {
  if (!context.canAct) return h('td', { class: 'muted', 'data-label': 'Actions' }, '—');
  const path = `/deletedcertificates/${encodeURIComponent(row.name)}`;
  const recover: HTMLButtonElement = h(
    'button',
    { type: 'button', 'aria-label': `Recover ${row.name}`, onclick: () => act(context, recover, `${row.name} recovered.`, () => context.api.call('POST', `${path}/recover`)) },
    'Recover',
  );
  const purge: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      'aria-label': `Purge ${row.name}`,
      onclick: () => {
        if (!confirmed(`Purge ${row.name} now? It and all its versions, keys and secrets are gone for good; it cannot be recovered.`)) return;
        void act(context, purge, `${row.name} purged.`, () => context.api.call('DELETE', path));
      },
    },
    'Purge',
  );
  return h('td', { class: 'actions', 'data-label': 'Actions' }, recover, row.purgeable && purge);
}

/**
 * Soft-deleted certificates (GET /deletedcertificates), read when the view opens: when each was deleted and
 * when the vault purges it, with recover and (where the vault's recovery level allows) purge now.
 */
export function deletedView(context: ViewContext): HTMLElement {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Reading deleted certificates…'));
  context.api
    .list<DeletedItemWire>('/deletedcertificates?maxresults=25')
    .then((items) => {
      const rows = items.map(deletedRowOf).sort((a, b) => (b.deletedAt ?? 0) - (a.deletedAt ?? 0));
      body.replaceChildren(
        rows.length === 0
          ? h('p', {}, 'No deleted certificates.')
          : h(
              'div',
              { class: 'scroll' },
              h(
                'table',
                { class: 'deleted stack' },
                h('thead', {}, h('tr', {}, ...['Certificate', 'Deleted', 'Purged on', 'Recovery level', 'Actions'].map((label) => h('th', { scope: 'col' }, label)))),
                h(
                  'tbody',
                  {},
                  ...rows.map((row) =>
                    h(
                      'tr',
                      { 'data-name': row.name },
                      h('th', { scope: 'row' }, row.name),
                      h('td', { 'data-label': 'Deleted' }, formatTime(row.deletedAt)),
                      h('td', { 'data-label': 'Purged on' }, formatTime(row.purgeAt)),
                      h('td', { 'data-label': 'Recovery level' }, row.recoveryLevel || '—'),
                      actionsOf(context, row),
                    ),
                  ),
                ),
              ),
            ),
      );
    })
    .catch((error: unknown) => {
      body.replaceChildren(h('p', {}, 'The deleted certificates could not be read.'));
      context.showError(error);
    });
  return h('section', { 'aria-labelledby': 'deleted-heading' }, h('h2', { id: 'deleted-heading' }, 'Deleted certificates'), body);
}
