import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { findFreePort } from '../../scripts/local-host/ports';
import { type RawClient, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';
import { createTestCa } from '../helpers/test-ca';

/**
 * The operator's dashboard in a real headless browser (Debian's Chromium, driven by playwright-core) against
 * the local host, one host and one browser for the file: a certificate created through the form appears in the
 * table and on the timeline; a request whose ACME directory refuses connections shows its failed attempts, the
 * last error and the next attempt, and is cancelled from the page; an officer renews, disables and enables a
 * certificate, merges a CA's chain into an Unknown-issuer request, deletes, recovers and purges; issuers show
 * no credentials; a reader's token sees no action buttons and the API refuses the action anyway. Screenshots
 * of every view at desktop and phone width go to artifacts/dashboard/ (git-ignored), and at phone width no
 * view scrolls sideways.
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
  let directoryUrl: string;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI=true and no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium`);
    built = mkdtempSync(path.join(tmpdir(), 'dashboard-build-'));
    await buildDashboard(built);
    // A failed attempt is retried after a random delay of up to an hour: long enough that the page shows the
    // retry state the first failure left, whatever the draw (a short one only adds an attempt).
    service = await startService({ DASHBOARD_DIR: built, ISSUER_RETRY_BASE_SECONDS: '3600', ISSUER_RETRY_MAX_DELAY_SECONDS: '3600' });
    kv = rawClient(service.url, () => service.token());
    // An ACME issuer whose directory refuses connections (a port nothing listens on): each attempt fails, for real.
    directoryUrl = `https://127.0.0.1:${await findFreePort('127.0.0.1')}/directory`;
    const issuer = { provider: 'ACME', credentials: { account_id: directoryUrl }, org_details: { admin_details: [{ first_name: 'Ada', last_name: 'Ops', email: 'ada@contoso.com' }] } };
    expect((await kv.request('PUT', '/certificates/issuers/nowhere', issuer)).status).toBe(200);
    expect((await kv.request('PUT', '/certificates/contacts', { contacts: [{ email: 'pki@contoso.com', name: 'PKI team' }] })).status).toBe(200);
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
    // Destructive actions ask first (window.confirm); the test answers yes and keeps the question.
    page.on('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.accept();
    });
    await page.goto(`${service.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    await page.getByRole('button', { name: `Sign in as ${role}` }).click();
    await page.getByRole('heading', { name: 'Certificates', level: 2 }).waitFor();
    return page;
  }

  const questions: string[] = [];

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

  /** Every view, and one certificate's detail; at phone width, none may scroll sideways. */
  async function screenshots(page: Page, size: 'desktop' | 'phone'): Promise<void> {
    const shoot = async (file: string) => {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${file}-${size}.png`), fullPage: true });
      if (size !== 'phone') return;
      // Neither the page nor a table's own box scrolls sideways: every column is on screen.
      const overflow = await page.evaluate(() =>
        Math.max(document.documentElement.scrollWidth - document.documentElement.clientWidth, ...Array.from(document.querySelectorAll('.scroll'), (box) => box.scrollWidth - box.clientWidth)),
      );
      expect({ view: file, overflow }).toEqual({ view: file, overflow: 0 });
    };
    for (const view of ['Certificates', 'Timeline', 'Pending', 'Issuers', 'Deleted', 'Create']) {
      await tab(page, view);
      if (view === 'Issuers') await page.locator('table.issuers').waitFor();
      if (view === 'Deleted') await page.getByText(/No deleted certificates|Recover/).first().waitFor();
      await shoot(view.toLowerCase());
    }
    await tab(page, 'Certificates');
    await page.locator('table.certificates tr[data-name="web-1"]').getByRole('button', { name: 'web-1' }).click();
    await page.getByRole('heading', { name: 'Versions' }).waitFor();
    await shoot('detail');
  }

  async function openDetail(page: Page, name: string): Promise<void> {
    await tab(page, 'Certificates');
    await page.locator(`table.certificates tr[data-name="${name}"]`).getByRole('button', { name }).click();
    await page.getByRole('heading', { name, level: 2 }).waitFor();
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

  it('shows a request whose issuer keeps failing with its failed attempts, last error and next attempt', async () => {
    await createThroughForm(officer, { name: 'stuck-1', issuer: 'nowhere', subject: 'CN=stuck-1.contoso.com', sans: 'stuck-1.contoso.com' });
    await tab(officer, 'Pending');
    const row = officer.locator('table.pending tr[data-name="stuck-1"]');
    // The issuer job's first run could not reach the directory: one failed attempt, retried later.
    await refreshUntil(officer, 'a failed attempt of stuck-1', async () => /failed attempts? of 8/.test((await row.textContent()) ?? ''));
    const text = (await row.textContent()) ?? '';
    expect(text).toMatch(/inProgress.*nowhere.*\d+ failed attempts? of 8; last asked .*; next attempt /s);
    expect(text).toContain(`The ACME directory ${directoryUrl} could not be reached (ECONNREFUSED).`);
    const job = (await kv.request('GET', '/certificates/stuck-1/pending')).body.issuer_job as { attempts: number; last_error: string };
    expect(job.attempts).toBeGreaterThanOrEqual(1);
    expect(text).toContain(`${job.attempts} failed attempt`);
  });

  it('merges a chain signed elsewhere into a request to the Unknown issuer, pasted on its detail page', async () => {
    await createThroughForm(officer, { name: 'manual-1', issuer: 'Unknown', subject: 'CN=manual-1.contoso.com', sans: 'manual-1.contoso.com' });
    await refreshUntil(officer, 'manual-1 listed', async () => (await officer.locator('table.certificates tr[data-name="manual-1"]').count()) === 1);
    await openDetail(officer, 'manual-1');
    // The operator takes the CSR to a CA; here the test's CA signs it.
    const csr = (await kv.request('GET', '/certificates/manual-1/pending')).body.csr as string;
    const ca = await createTestCa('CN=Dashboard Test CA');
    const leaf = await ca.sign(csr);
    const pemOf = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
    await officer.getByLabel('Signed certificate chain').fill(`${pemOf(leaf)}${pemOf(ca.certificateDer)}`);
    await officer.getByRole('button', { name: 'Merge' }).click();
    await officer.getByText('CN=Dashboard Test CA', { exact: false }).first().waitFor();
    expect((await kv.request('GET', '/certificates/manual-1/')).body.x5t).toEqual(expect.any(String));
    expect(await officer.getByRole('button', { name: 'Merge' }).count()).toBe(0);
  });

  it('renews, disables and enables a certificate from its detail page', async () => {
    await openDetail(officer, 'web-1');
    await officer.getByRole('button', { name: 'Renew now' }).click();
    await eventually('a second version of web-1', async () => {
      const versions = (await kv.request('GET', '/certificates/web-1/versions')).body.value as { x5t?: string }[];
      return versions.filter((v) => v.x5t).length === 2 ? true : undefined;
    });
    const enabled = async () => ((await kv.request('GET', '/certificates/web-1/')).body as { attributes: { enabled: boolean } }).attributes.enabled;
    await refreshUntil(officer, 'the new version of web-1 on its page', async () => (await officer.getByRole('button', { name: 'Disable' }).count()) === 1);
    await officer.getByRole('button', { name: 'Disable' }).click();
    await officer.getByRole('button', { name: 'Enable' }).waitFor();
    expect(questions.at(-1)).toMatch(/^Disable web-1\?/);
    expect(await enabled()).toBe(false);
    await officer.getByRole('button', { name: 'Enable' }).click();
    await officer.getByRole('button', { name: 'Disable' }).waitFor();
    expect(await enabled()).toBe(true);
  });

  it('shows issuers without their credentials, and every view at desktop and phone width', async () => {
    await tab(officer, 'Issuers');
    const issuer = officer.locator('table.issuers tr[data-name="nowhere"]');
    await issuer.waitFor();
    expect(await issuer.textContent()).toMatch(/ACME.*yes.*Ada Ops ada@contoso\.com/s);
    await officer.getByText('PKI team · pki@contoso.com').waitFor();
    expect(await officer.locator('main').textContent()).not.toContain(directoryUrl);
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
    expect(await reader.getByRole('button', { name: /^(Cancel|Delete) the/ }).count()).toBe(0);
    await openDetail(reader, 'web-1');
    await reader.getByRole('heading', { name: 'Versions' }).waitFor();
    expect(await reader.getByRole('button', { name: /^(Renew now|Disable|Enable|Delete certificate)$/ }).count()).toBe(0);
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

  it('deletes a certificate, recovers it from the deleted view, then deletes and purges it', async () => {
    const deleteFromDetail = async () => {
      await openDetail(officer, 'manual-1');
      await officer.getByRole('button', { name: 'Delete certificate' }).click();
      await officer.getByRole('heading', { name: 'Certificates', level: 2 }).waitFor();
      expect(questions.at(-1)).toMatch(/^Delete manual-1 with all its versions\?/);
      expect((await kv.request('GET', '/deletedcertificates/manual-1')).status).toBe(200);
    };
    await deleteFromDetail();
    await tab(officer, 'Deleted');
    await officer.getByRole('button', { name: 'Recover manual-1' }).click();
    await officer.getByText('No deleted certificates.').waitFor();
    expect((await kv.request('GET', '/certificates/manual-1/')).status).toBe(200);

    await deleteFromDetail();
    await tab(officer, 'Deleted');
    await officer.getByRole('button', { name: 'Purge manual-1' }).click();
    await officer.getByText('No deleted certificates.').waitFor();
    expect(questions.at(-1)).toMatch(/^Purge manual-1 now\?/);
    expect((await kv.request('GET', '/deletedcertificates/manual-1')).status).toBe(404);
  });
});
