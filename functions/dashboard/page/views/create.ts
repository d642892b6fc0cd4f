import { h } from '../dom';
import { type CreateFormInput, CONTENT_TYPES, KEY_TYPES, createRequestOf } from '../model/policy-form';
import type { ViewContext } from './context';

function field(id: keyof CreateFormInput, label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id = `create-${id}`;
  control.setAttribute('name', id);
  if (hint) control.setAttribute('aria-describedby', `create-${id}-hint create-${id}-error`);
  else control.setAttribute('aria-describedby', `create-${id}-error`);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: `create-${id}` }, label),
    control,
    hint && h('div', { id: `create-${id}-hint`, class: 'muted' }, hint),
    h('div', { id: `create-${id}-error`, class: 'field-error' }),
  );
}

/** The create form: builds the policy (createRequestOf) and POSTs it to /certificates/{name}/create. */
export function createView(context: ViewContext, onCreated: (name: string) => void): HTMLElement {
  const issuerOptions = [
    h('option', { value: 'Self' }, 'Self (self-signed)'),
    h('option', { value: 'Unknown' }, 'Unknown (a CA outside the vault: merge its certificate)'),
    ...context.data.issuers.map((issuer) => {
      const name = decodeURIComponent(issuer.id.split('/').pop() ?? '');
      return h('option', { value: name }, `${name} (${issuer.provider ?? 'issuer'})`);
    }),
  ];
  const form = h(
    'form',
    { class: 'create', novalidate: true },
    field('name', 'Certificate name', h('input', { type: 'text', required: true, autocomplete: 'off' }), 'Letters, digits and dashes.'),
    field('issuer', 'Issuer', h('select', {}, ...issuerOptions), 'Self, Unknown (you take the CSR to a CA and merge what it signs), or an issuer object: a private CA or an ACME account.'),
    field('subject', 'Subject', h('input', { type: 'text', placeholder: 'CN=www.contoso.com', autocomplete: 'off' })),
    field('sans', 'Subject alternative names', h('textarea', { rows: 2, placeholder: 'www.contoso.com, contoso.com' }), 'DNS names (and e-mail addresses), separated by commas or spaces.'),
    field('keyType', 'Key type', h('select', {}, ...Object.keys(KEY_TYPES).map((key) => h('option', { value: key }, key.replace('-', ' '))))),
    field('validityMonths', 'Validity (months)', h('input', { type: 'number', min: 1, max: 1200, value: 12, inputmode: 'numeric' })),
    field('contentType', 'Secret format', h('select', {}, ...CONTENT_TYPES.map((type) => h('option', { value: type }, type === 'application/x-pkcs12' ? 'PKCS#12 (.pfx)' : 'PEM')))),
    h('button', { type: 'submit' }, 'Create certificate'),
  );
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? '';
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    for (const error of form.querySelectorAll('.field-error')) error.textContent = '';
    for (const invalid of form.querySelectorAll('[aria-invalid]')) invalid.removeAttribute('aria-invalid');
    const request = createRequestOf({
      name: value('name'),
      issuer: value('issuer'),
      subject: value('subject'),
      sans: value('sans'),
      keyType: value('keyType'),
      validityMonths: value('validityMonths'),
      contentType: value('contentType'),
    });
    if (!request.ok) {
      for (const { field: name, message } of request.errors) {
        const slot = form.querySelector(`#create-${name}-error`);
        if (slot) slot.textContent = message;
        form.querySelector(`#create-${name}`)?.setAttribute('aria-invalid', 'true');
      }
      (form.querySelector('[aria-invalid]') as HTMLElement | null)?.focus();
      return;
    }
    const submit = form.querySelector('button[type=submit]') as HTMLButtonElement;
    submit.disabled = true;
    context.api
      .call('POST', `/certificates/${encodeURIComponent(request.name)}/create`, request.body)
      .then(() => {
        context.notify(`Requested ${request.name}.`);
        onCreated(request.name);
      })
      .catch((error: unknown) => context.showError(error))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return h('section', { 'aria-labelledby': 'create-heading' }, h('h2', { id: 'create-heading' }, 'Create a certificate'), form);
}
