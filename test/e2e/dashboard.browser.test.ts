import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/**
 * The operator's dashboard in a real headless browser (Debian's Chromium, driven by playwright-core) against
 * the local host, one host and one browser for the file: a certificate created through the form appears in the
 * table and on the timeline; a request stuck at the Test issuer shows its retry state and is cancelled from the
 * page; a reader's token sees no action buttons and the API refuses the action anyway. Screenshots of the main
 * views at desktop and phone width go to artifacts/dashboard/ (git-ignored).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const mustRun = process.env.CI === 'true';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`dashboard browser test: no Chromium at ${CHROMIUM} (apt-get install chromium); ${mustRun ? 'failing, as CI=true' : 'skipped'}.`);
}
const suite = haveChromium || mustRun ? describe : describe.skip;

/** This machine's network is closed: without these, Chromium waits on connections it will never get. */
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'artifacts', 'dashboard');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildDashboard } = require('../../scripts/build-dashboard.cjs') as { buildDashboard(outdir: string): Promise<string[]> };

suite('the dashboard in a headless browser', () => {
  let service: ServiceUnderTest;
  let kv: RawClient;
  let browser: Browser;
  let officer: Page;
  let built: string;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI=true and no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium`);
    built = mkdtempSync(path.join(tmpdir(), 'dashboard-build-'));
    await buildDashboard(built);
    service = await startService({ DASHBOARD_DIR: built });
    kv = rawClient(service.url, () => service.token());
    // An issuer that never completes (the SDKs' Test provider): its requests stay in progress until cancelled.
    expect((await kv.request('PUT', '/certificates/issuers/never-done', { provider: 'Test' })).status).toBe(200);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    if (built) rmSync(built, { recursive: true, force: true });
  });

  async function signIn(role: 'reader' | 'certificates officer'): Promise<Page> {
    // A context of its own: the token lives in that page's memory only.
    const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    await page.goto(`${service.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    await page.getByRole('button', { name: `Sign in as ${role}` }).click();
    await page.getByRole('heading', { name: 'Certificates', level: 2 }).waitFor();
    return page;
  }

  async function tab(page: Page, name: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: new RegExp(`^${name}`) }).click();
  }

  /** Clicks Refresh until `ready` holds: the page reads the vault on demand, as an operator would. */
  async function refreshUntil(page: Page, what: string, ready: () => Promise<boolean>): Promise<void> {
    await eventually(what, async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByRole('button', { name: 'Refresh' }).and(page.locator(':enabled')).waitFor();
      return (await ready()) ? true : undefined;
    }, 30_000);
  }

  async function createThroughForm(page: Page, fields: { name: string; issuer: string; subject: string; sans: string }): Promise<void> {
    await tab(page, 'Create');
    await page.getByLabel('Certificate name').fill(fields.name);
    await page.getByLabel('Issuer', { exact: true }).selectOption(fields.issuer);
    await page.getByLabel('Subject', { exact: true }).fill(fields.subject);
    await page.getByLabel('Subject alternative names').fill(fields.sans);
    await page.getByLabel('Key type').selectOption('EC-P-256');
    await page.getByRole('button', { name: 'Create certificate' }).click();
    await page.getByRole('heading', { name: 'Certificates', level: 2 }).waitFor();
  }

  async function screenshots(page: Page, size: 'desktop' | 'phone'): Promise<void> {
    for (const view of ['Certificates', 'Timeline', 'Pending', 'Create']) {
      await tab(page, view);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${view.toLowerCase()}-${size}.png`), fullPage: true });
    }
  }

  it('creates a certificate through the form, which then appears in the table and on the timeline', async () => {
    officer = await signIn('certificates officer');
    await createThroughForm(officer, { name: 'web-1', issuer: 'Self', subject: 'CN=web-1.contoso.com', sans: 'web-1.contoso.com, www.contoso.com' });
    const row = officer.locator('table.certificates tr[data-name="web-1"]');
    await refreshUntil(officer, 'web-1 issued', async () => /\d{4}-\d{2}-\d{2}/.test((await row.textContent()) ?? ''));
    expect(await row.textContent()).toContain('web-1.contoso.com, www.contoso.com');
    expect(await row.textContent()).toContain('EC P-256');

    await tab(officer, 'Timeline');
    const bar = officer.locator('svg.timeline g.bar[data-name="web-1"]');
    await bar.waitFor();
    expect(await bar.textContent()).toMatch(/valid to \d{4}-\d{2}-\d{2}/);
    expect(await officer.locator('svg.timeline').textContent()).toContain('Issuer: Self');
    expect(await officer.locator('svg.timeline .today').count()).toBe(1);
  });

  it('shows a request stuck at its issuer with its retry state', async () => {
    await createThroughForm(officer, { name: 'stuck-1', issuer: 'never-done', subject: 'CN=stuck-1.contoso.com', sans: '' });
    await tab(officer, 'Pending');
    const row = officer.locator('table.pending tr[data-name="stuck-1"]');
    // The issuer job's first run asked the issuer, which said "look again in an hour".
    await refreshUntil(officer, 'the first job run of stuck-1', async () => /next attempt in/.test((await row.textContent()) ?? ''));
    expect(await row.textContent()).toMatch(/inProgress.*never-done.*no failed attempts; last asked .*; next attempt in (59|60) min/s);
    await screenshots(officer, 'desktop');
    await officer.setViewportSize(PHONE);
    await screenshots(officer, 'phone');
    await officer.setViewportSize(DESKTOP);
  });

  it("gives a reader's token no action buttons, and the API refuses the action anyway", async () => {
    const reader = await signIn('reader');
    await reader.locator('table.certificates tr[data-name="web-1"]').waitFor();
    expect(await reader.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Create' }).count()).toBe(0);
    await tab(reader, 'Pending');
    await reader.locator('table.pending tr[data-name="stuck-1"]').waitFor();
    expect(await reader.getByRole('button', { name: /^(Cancel|Delete)/ }).count()).toBe(0);
    await reader.context().close();

    // The same token the page got, used directly.
    const minted = await fetch(`${service.url}/dashboard/local-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"reader"}' });
    const { token, roles } = (await minted.json()) as { token: string; roles: string[] };
    expect(roles).toEqual(['KeyVault.Reader']);
    const refused = await kv.request('PATCH', '/certificates/stuck-1/pending', { cancellation_requested: true }, { token });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'Forbidden', message: expect.stringContaining('Microsoft.KeyVault/vaults/certificates/update/action'), innererror: { code: 'ForbiddenByRbac' } } });
  });

  it('cancels the stuck request from the page', async () => {
    await tab(officer, 'Pending');
    await officer.getByRole('button', { name: 'Cancel the request for stuck-1' }).click();
    await eventually('stuck-1 cancelled', async () => ((await kv.request('GET', '/certificates/stuck-1/pending')).body.status === 'cancelled' ? true : undefined));
    await refreshUntil(officer, 'the page to show stuck-1 cancelled', async () => (await officer.getByRole('button', { name: 'Cancel the request for stuck-1' }).count()) === 0);
  });
});
