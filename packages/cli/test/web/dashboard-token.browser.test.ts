// End-to-end: the dashboard behind --token in headless Chromium. The printed URL (with
// ?token=) is opened once; the token leaves the address bar, the HttpOnly cookie carries the
// page's own fetches and its EventSource, and a browser without the cookie gets 401.
// Like dashboard.browser.test.ts: needs Debian's chromium; required under CI, skipped locally.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboardServer, type DashboardServer } from '../../src/web/index.js';
import { writeDemoSpool } from './demo-spool.js';
import { appendLines, hex, makeSpoolDir, segmentName, tracesLine } from './spool-fixture.js';

/**
 * The page's globals these tests read (web-assets/dashboard.js publishes __dashboard). The
 * callbacks run in the page, where globalThis is window; the tests compile without DOM types.
 */
interface DashboardWindow {
  __dashboard: { ready: boolean; refreshes: number; errors: string[] };
  document: { cookie: string };
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const TOKEN = 'browser-T0ken';

describe.runIf(HAVE_CHROMIUM || IN_CI)('dashboard with a token in headless Chromium', () => {
  let spool: ReturnType<typeof makeSpoolDir>;
  let dashboard: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) {
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
    }
    spool = makeSpoolDir();
    await writeDemoSpool(spool.dir);
    dashboard = await startDashboardServer({
      dir: spool.dir,
      port: 0,
      token: TOKEN,
      pollIntervalMs: 250,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    spool?.cleanup();
  });

  it('trades the URL token for an HttpOnly cookie that carries fetches and live updates', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(dashboard.openUrl);
    await page.waitForFunction(
      () => (globalThis as unknown as DashboardWindow).__dashboard?.ready === true,
    );
    expect(page.url()).toBe(dashboard.url); // the token is gone from the address bar
    expect(
      await page.evaluate(() => (globalThis as unknown as DashboardWindow).document.cookie),
    ).toBe(''); // HttpOnly: scripts cannot read it
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.value).not.toContain(TOKEN);
    expect(await page.locator('#cards .card').count()).toBeGreaterThan(0);

    // The EventSource works with the cookie: a new trace shows up without a reload.
    const refreshes = await page.evaluate(
      () => (globalThis as unknown as DashboardWindow).__dashboard.refreshes,
    );
    appendLines(spool.dir, 'traces', segmentName(), [
      tracesLine([
        {
          traceId: hex(0xcafe, 32),
          spanId: hex(0xcafe, 16),
          name: 'live.with.cookie',
          startMs: Date.now(),
          durationMs: 3,
        },
      ]),
    ]);
    await page.waitForFunction(
      (n) => (globalThis as unknown as DashboardWindow).__dashboard.refreshes > n,
      refreshes,
    );
    await page.locator('#trace-list button', { hasText: 'live.with.cookie' }).waitFor();
    expect(
      await page.evaluate(() => (globalThis as unknown as DashboardWindow).__dashboard.errors),
    ).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('answers 401 to a browser without the cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(dashboard.url);
    expect(response?.status()).toBe(401);
    expect(await page.content()).not.toContain('trace-list');
    await context.close();
  });
});
