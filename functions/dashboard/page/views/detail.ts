import { h } from '../dom';
import { base64ToBytes, certificateNamesOf } from '../model/certificate-names';
import { formatTime } from '../model/format';
import type { CertificateItem, CertificateBundle } from '../model/wire';
import type { ViewContext } from './context';

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
    h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ...['Version', 'Created', 'Not before', 'Expires', 'Enabled'].map((label) => h('th', { scope: 'col' }, label)))), versions)),
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
              h('td', { class: 'mono' }, item.id.split('/').pop() ?? ''),
              h('td', {}, formatTime(ms(item.attributes?.created))),
              h('td', {}, formatTime(ms(item.attributes?.nbf))),
              h('td', {}, formatTime(ms(item.attributes?.exp))),
              h('td', {}, item.attributes?.enabled ? 'yes' : 'no'),
            ),
          ),
      );
    })
    .catch((error: unknown) => context.showError(error));
  return section;
}
