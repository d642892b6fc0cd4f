import { ApiError, mapLimited } from '../api';
import { h } from '../dom';
import { type ContactsWire, type IssuerBundleWire, type IssuerView, contactLinesOf, issuerViewOf } from '../model/issuers';
import { nameOf } from '../model/wire';
import type { ViewContext } from './context';

function issuersTable(views: IssuerView[]): HTMLElement {
  if (views.length === 0) return h('p', {}, 'No issuer objects: certificates here are self-signed (Self) or merged (Unknown).');
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { class: 'issuers stack' },
      h('thead', {}, h('tr', {}, ...['Issuer', 'Provider', 'Enabled', 'Created', 'Updated', 'Administrators'].map((label) => h('th', { scope: 'col' }, label)))),
      h(
        'tbody',
        {},
        ...views.map((view) =>
          h(
            'tr',
            { 'data-name': view.name },
            h('th', { scope: 'row' }, view.name),
            h('td', { 'data-label': 'Provider' }, view.provider),
            h('td', { 'data-label': 'Enabled' }, view.enabled),
            h('td', { 'data-label': 'Created' }, view.created),
            h('td', { 'data-label': 'Updated' }, view.updated),
            h('td', { 'data-label': 'Administrators', class: 'wrap' }, view.admins.join(', ') || '—'),
          ),
        ),
      ),
    ),
  );
}

/**
 * Issuer objects and the vault's contacts, read-only, read when the view opens. Only what issuerViewOf picks
 * is drawn: an issuer's credentials never reach the page's text.
 */
export function issuersView(context: ViewContext): HTMLElement {
  const issuers = h('div', {}, h('p', { class: 'muted' }, 'Reading issuers…'));
  const contacts = h('div', {}, h('p', { class: 'muted' }, 'Reading contacts…'));
  mapLimited(context.data.issuers, 4, (item) => context.api.get<IssuerBundleWire>(`/certificates/issuers/${encodeURIComponent(nameOf(item.id))}`))
    .then((bundles) => issuers.replaceChildren(issuersTable(bundles.map(issuerViewOf).sort((a, b) => a.name.localeCompare(b.name)))))
    .catch((error: unknown) => {
      issuers.replaceChildren(h('p', {}, 'The issuers could not be read.'));
      context.showError(error);
    });
  context.api
    .get<ContactsWire>('/certificates/contacts')
    .catch((error: unknown) => {
      // No contacts set is a 404 in Key Vault, not a failure.
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    })
    .then((body) => {
      const lines = contactLinesOf(body);
      contacts.replaceChildren(lines.length === 0 ? h('p', {}, 'No certificate contacts set.') : h('ul', { class: 'contacts' }, ...lines.map((line) => h('li', {}, line))));
    })
    .catch((error: unknown) => {
      contacts.replaceChildren(h('p', {}, 'The contacts could not be read.'));
      context.showError(error);
    });
  return h(
    'section',
    { 'aria-labelledby': 'issuers-heading' },
    h('h2', { id: 'issuers-heading' }, 'Issuers and contacts'),
    issuers,
    h('h3', {}, 'Certificate contacts'),
    h('p', { class: 'muted' }, 'Who the vault e-mails about certificates (lifetime action EmailContacts).'),
    contacts,
  );
}
