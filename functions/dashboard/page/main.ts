import { Api } from './api';
import { type DashboardData, loadDashboard } from './data';
import { h } from './dom';
import { formatTime } from './model/format';
import { canChangeCertificates } from './model/roles';
import { type LocalRole, signInLocally } from './sign-in/local';
import type { SignInConfig, TokenSource } from './sign-in/token-source';
import { certificatesView } from './views/certificates';
import type { ViewContext } from './views/context';
import { createView } from './views/create';
import { deletedView } from './views/deleted';
import { detailView } from './views/detail';
import { issuersView } from './views/issuers';
import { pendingView } from './views/pending';
import { timelineView } from './views/timeline';

/**
 * The operator's dashboard: sign in (local or Entra, from config.json), read the vault through its own API,
 * and show one view at a time. No framework, no storage: the token and the data live in this page only.
 */

type ViewName = 'certificates' | 'timeline' | 'pending' | 'issuers' | 'deleted' | 'create' | 'detail';

const main = document.getElementById('main') as HTMLElement;
const account = document.getElementById('account') as HTMLElement;
const alertArea = document.getElementById('alert') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;

function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  alertArea.replaceChildren(h('p', {}, h('strong', {}, 'Error: '), message), h('button', { type: 'button', class: 'link', onclick: () => alertArea.replaceChildren() }, 'Dismiss'));
}

function notify(text: string): void {
  status.textContent = text;
}

async function signInPage(config: SignInConfig): Promise<TokenSource> {
  if (config.signIn === 'entra') {
    const { signInWithEntra } = await import('./sign-in/entra');
    return signInWithEntra(config);
  }
  if (config.signIn === 'unavailable') {
    main.replaceChildren(h('section', { class: 'sign-in', 'aria-labelledby': 'sign-in-heading' }, h('h2', { id: 'sign-in-heading' }, 'Sign-in is not set up'), h('p', {}, config.reason)));
    return new Promise<never>(() => undefined);
  }
  return new Promise<TokenSource>((resolve) => {
    const choose = (role: LocalRole) => async (event: Event) => {
      const button = event.currentTarget as HTMLButtonElement;
      button.disabled = true;
      try {
        resolve(await signInLocally(role));
      } catch (error) {
        showError(error);
        button.disabled = false;
      }
    };
    main.replaceChildren(
      h(
        'section',
        { class: 'sign-in', 'aria-labelledby': 'sign-in-heading' },
        h('h2', { id: 'sign-in-heading' }, 'Sign in (local mode)'),
        h('p', {}, 'The local host signs a one-hour token for you with its local key. It stays in this tab only.'),
        h('div', { class: 'choices' }, h('button', { type: 'button', onclick: choose('reader') }, 'Sign in as reader'), h('button', { type: 'button', onclick: choose('officer') }, 'Sign in as certificates officer')),
      ),
    );
  });
}

async function run(): Promise<void> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`The dashboard's configuration could not be read (HTTP ${response.status}).`);
  const tokens = await signInPage((await response.json()) as SignInConfig);
  const api = new Api(tokens);
  const canAct = canChangeCertificates(tokens.roles);
  let data: DashboardData | undefined;
  let view: ViewName = 'certificates';
  let detailName = '';

  account.replaceChildren(
    h('span', {}, `${tokens.account} (${tokens.roles.join(', ') || 'no roles'})${canAct ? '' : ' — read only'}`),
    h('button', { type: 'button', class: 'link', onclick: () => void tokens.signOut().then(() => window.location.reload()) }, 'Sign out'),
  );
  const tabs: { name: ViewName; label: string }[] = [
    { name: 'certificates', label: 'Certificates' },
    { name: 'timeline', label: 'Timeline' },
    { name: 'pending', label: 'Pending' },
    { name: 'issuers', label: 'Issuers' },
    { name: 'deleted', label: 'Deleted' },
    ...(canAct ? [{ name: 'create' as const, label: 'Create' }] : []),
  ];
  const nav = h('nav', { 'aria-label': 'Views' });
  const content = h('div', { id: 'view' });
  const loaded = h('p', { class: 'muted loaded' });
  const refreshButton = h('button', { type: 'button', onclick: () => void refresh() }, 'Refresh');
  main.replaceChildren(h('div', { class: 'bar' }, nav, h('div', { class: 'refresh' }, loaded, refreshButton)), content);

  const context = (): ViewContext => ({
    api,
    data: data as DashboardData,
    canAct,
    now: Date.now(),
    refresh,
    showDetail: (name) => show('detail', name),
    showError,
    notify,
  });

  function draw(): void {
    nav.replaceChildren(
      ...tabs.map((tab) => h('button', { type: 'button', class: 'tab', 'aria-current': view === tab.name ? 'page' : undefined, onclick: () => show(tab.name) }, tab.name === 'pending' && data ? `${tab.label} (${data.complete ? data.pending.length : '…'})` : tab.label)),
    );
    if (!data) return;
    loaded.textContent = data.complete
      ? `Read ${formatTime(data.loadedAt)}${data.problems.length > 0 ? ` — ${data.problems.length} could not be read` : ''}`
      : `Listed ${data.rows.length} certificates; reading each…`;
    if (data.problems.length > 0) showError(new Error(data.problems.join('\n')));
    const ctx = context();
    const width = content.clientWidth || window.innerWidth;
    content.replaceChildren(viewOf(ctx, width));
  }

  function viewOf(ctx: ViewContext, width: number): HTMLElement {
    switch (view) {
      case 'timeline':
        return timelineView(ctx, width);
      case 'pending':
        return pendingView(ctx);
      case 'issuers':
        return issuersView(ctx);
      case 'deleted':
        return deletedView(ctx);
      case 'create':
        if (!canAct) return certificatesView(ctx);
        return createView(ctx, async () => {
          await refresh();
          show('certificates');
        });
      case 'detail':
        return detailView(ctx, detailName, () => show('certificates'));
      default:
        return certificatesView(ctx);
    }
  }

  function show(next: ViewName, name = ''): void {
    view = next;
    detailName = name;
    draw();
    (content.querySelector('h2') as HTMLElement | null)?.focus();
  }

  async function refresh(): Promise<void> {
    refreshButton.disabled = true;
    notify('Reading the vault…');
    try {
      data = await loadDashboard(api, (partial) => {
        // On the first read only: a refresh keeps the last full picture until the new one is complete (and a
        // redraw while the user types in the filter would take the focus away).
        if (data && data.complete) return;
        data = partial;
        notify(`Listed ${partial.rows.length} certificates; reading each…`);
        draw();
      });
      notify(`Read ${data.rows.length} certificates.`);
      draw();
    } catch (error) {
      showError(error);
    } finally {
      refreshButton.disabled = false;
    }
  }

  draw();
  await refresh();
}

run().catch(showError);
