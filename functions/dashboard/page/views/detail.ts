import { h } from '../dom';
import { base64ToBytes, certificateNamesOf } from '../model/certificate-names';
import { formatTime } from '../model/format';
import { enabledPatchOf, mergeRequestOf, renewRequestOf } from '../model/actions';
import type { CertificateItem, CertificateBundle } from '../model/wire';
import { act, confirmed } from './act';
import type { ViewContext } from './context';

/**
 * What an officer may do to one certificate: a new version now (a create with its policy), disable or
 * enable, delete (soft: the deleted view recovers it). Destructive ones ask first. A reader gets none.
 */
function actionsOf(context: ViewContext, name: string, bundle: CertificateBundle, onBack: () => void): HTMLElement | false {
  if (!context.canAct) return false;
  const path = `/certificates/${encodeURIComponent(name)}`;
  const hasPending = context.data.pending.some((row) => row.name === name && row.status === 'inProgress');
  const enabled = bundle.attributes?.enabled ?? false;
  const renew: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      disabled: hasPending || !bundle.policy,
      'aria-describedby': hasPending ? 'detail-renew-hint' : undefined,
      onclick: () => act(context, renew, `A new version of ${name} was requested.`, () => context.api.call('POST', `${path}/create`, renewRequestOf(bundle.policy ?? {}))),
    },
    'Renew now',
  );
  const toggle: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: enabled ? 'danger' : undefined,
      onclick: () => {
        if (enabled && !confirmed(`Disable ${name}? Its latest version stops being served (its secret and key cannot be read) until it is enabled again.`)) return;
        void act(context, toggle, `${name} ${enabled ? 'disabled' : 'enabled'}.`, () => context.api.call('PATCH', `${path}/`, enabledPatchOf(!enabled)));
      },
    },
    enabled ? 'Disable' : 'Enable',
  );
  const remove: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      onclick: () => {
        if (!confirmed(`Delete ${name} with all its versions? It can be recovered from Deleted until its purge date.`)) return;
        void act(context, remove, `${name} deleted.`, () => context.api.call('DELETE', path), onBack);
      },
    },
    'Delete certificate',
  );
  return h(
    'div',
    { class: 'detail-actions' },
    // A version still being made is not served yet: there is nothing to turn off or on until it is issued.
    h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' }, renew, bundle.x5t !== undefined && toggle, remove),
    hasPending && h('p', { id: 'detail-renew-hint', class: 'muted' }, 'A request is in progress: cancel or finish it before asking for another version.'),
  );
}

/** Merge (POST …/pending/merge) for a request to the Unknown issuer: the chain a CA signed elsewhere, never a key. */
function mergeFormOf(context: ViewContext, name: string): HTMLElement {
  const textarea = h('textarea', { id: 'merge-chain', rows: 6, spellcheck: 'false', 'aria-describedby': 'merge-hint merge-error', class: 'mono' });
  const error = h('div', { id: 'merge-error', class: 'field-error' });
  const submit: HTMLButtonElement = h('button', { type: 'submit' }, 'Merge');
  const form = h(
    'form',
    { class: 'merge', novalidate: true },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'merge-chain' }, 'Signed certificate chain'),
      textarea,
      h('div', { id: 'merge-hint', class: 'muted' }, 'The certificate your CA signed for this request (its CSR is in the pending request), PEM or base64 DER, with its chain. Never a private key: the vault holds it.'),
      error,
    ),
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const request = mergeRequestOf(textarea.value);
    error.textContent = request.ok ? '' : request.message;
    if (!request.ok) {
      textarea.setAttribute('aria-invalid', 'true');
      textarea.focus();
      return;
    }
    textarea.removeAttribute('aria-invalid');
    void act(context, submit, `The signed certificate was merged into ${name}.`, () => context.api.call('POST', `/certificates/${encodeURIComponent(name)}/pending/merge`, request.body));
  });
  return h('section', { 'aria-labelledby': 'merge-heading' }, h('h3', { id: 'merge-heading' }, 'Merge the signed certificate'), form);
}

/** One certificate: its versions, policy, chain line (subject → issuer) and the public .cer to download. */
export function detailView(context: ViewContext, name: string, onBack: () => void): HTMLElement {
  const bundle: CertificateBundle | undefined = context.data.bundles.get(name);
  const versions = h('tbody');
  const section = h(
    'section',
    { 'aria-labelledby': 'detail-heading' },
    h('button', { type: 'button', class: 'link', onclick: onBack }, '← All certificates'),
    h('h2', { id: 'detail-heading', tabindex: -1 }, name),
  );
  if (!bundle) {
    section.append(h('p', {}, 'This certificate is not in the last list read.'));
    return section;
  }
  const actions = actionsOf(context, name, bundle, onBack);
  if (actions) section.append(actions);
  const waitsForMerge = (bundle.policy?.issuer?.name ?? '').toLowerCase() === 'unknown' && context.data.pending.some((row) => row.name === name && row.status === 'inProgress');
  if (waitsForMerge && context.canAct) section.append(mergeFormOf(context, name));
  const names = bundle.cer ? certificateNamesOf(base64ToBytes(bundle.cer)) : undefined;
  section.append(
    h('h3', {}, 'Chain'),
    names
      ? h('p', { class: 'chain' }, h('span', {}, names.subject), h('span', { 'aria-hidden': 'true' }, ' → '), h('span', { class: 'visually-hidden' }, ' issued by '), h('span', {}, names.issuer), names.subject === names.issuer ? h('span', { class: 'muted' }, ' (self-signed)') : '')
      : h('p', {}, 'Not issued yet.'),
  );
  if (bundle.cer) {
    const url = URL.createObjectURL(new Blob([base64ToBytes(bundle.cer) as BlobPart], { type: 'application/pkix-cert' }));
    section.append(h('p', {}, h('a', { href: url, download: `${name}.cer`, class: 'button' }, `Download ${name}.cer (public certificate)`)));
  }
  section.append(
    h('h3', {}, 'Versions'),
    h('div', { class: 'scroll' }, h('table', { class: 'versions stack' }, h('thead', {}, h('tr', {}, ...['Version', 'Created', 'Not before', 'Expires', 'Enabled'].map((label) => h('th', { scope: 'col' }, label)))), versions)),
    h('h3', {}, 'Policy'),
    h('pre', { class: 'policy' }, JSON.stringify(bundle.policy ?? {}, null, 2)),
  );
  context.api
    .list<CertificateItem>(`/certificates/${encodeURIComponent(name)}/versions?maxresults=25`)
    .then((items) => {
      const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);
      versions.replaceChildren(
        ...items
          .sort((a, b) => (b.attributes?.created ?? 0) - (a.attributes?.created ?? 0))
          .map((item) =>
            h(
              'tr',
              {},
              h('td', { class: 'mono', 'data-label': 'Version' }, item.id.split('/').pop() ?? ''),
              h('td', { 'data-label': 'Created' }, formatTime(ms(item.attributes?.created))),
              h('td', { 'data-label': 'Not before' }, formatTime(ms(item.attributes?.nbf))),
              h('td', { 'data-label': 'Expires' }, formatTime(ms(item.attributes?.exp))),
              h('td', { 'data-label': 'Enabled' }, item.attributes?.enabled ? 'yes' : 'no'),
            ),
          ),
      );
    })
    .catch((error: unknown) => context.showError(error));
  return section;
}
