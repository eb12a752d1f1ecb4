// End-to-end: the dashboard in headless Chromium (Debian `chromium`, driven by playwright-core)
// over a demo-like spool. CI installs chromium before the tests; without it this test fails
// under CI=true (a silent skip there would hide a broken dashboard) and is skipped locally.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler, type DashboardHandler } from '../../src/web/index.js';
import { countSpans, writeDemoSpool, type DemoSpool } from './demo-spool.js';
import { appendLines, hex, makeSpoolDir, segmentName, tracesLine } from './spool-fixture.js';

/**
 * What the page publishes on window for tests (web-assets/dashboard.js). The callbacks run in
 * the page, where globalThis is window; the tests compile without DOM types.
 */
interface DashboardWindow {
  __dashboard: {
    ready: boolean;
    refreshes: number;
    errors: string[];
    charts: Record<string, { points: number; series: number; data: number[][] }>;
  };
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const SCREENSHOT = join(REPO_ROOT, 'test-artifacts', 'dashboard.png');

describe.runIf(HAVE_CHROMIUM || IN_CI)('web dashboard in headless Chromium', () => {
  let spool: ReturnType<typeof makeSpoolDir>;
  let demo: DemoSpool;
  let server: Server;
  let handler: DashboardHandler;
  let url: string;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install Debian's "chromium" package ` +
          '(apt-get install -y chromium) or set CHROMIUM_PATH; the browser test cannot be skipped in CI',
      );
    }
    spool = makeSpoolDir();
    demo = await writeDemoSpool(spool.dir);
    handler = createDashboardHandler(spool.dir, { pollIntervalMs: 250 });
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
    // The page must work without network: anything not served by the dashboard fails loudly.
    await page.route(
      (target) => !target.href.startsWith(url),
      (route) => {
        consoleErrors.push(`external request: ${route.request().url()}`);
        return route.abort();
      },
    );
  });

  afterAll(async () => {
    await browser?.close();
    handler?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    spool?.cleanup();
  });

  it('loads, draws every chart with data, opens a crash stack and a trace waterfall', async () => {
    await page.goto(url);
    await page.waitForFunction(
      () => (globalThis as unknown as DashboardWindow).__dashboard?.ready === true,
    );

    // Expected numbers, computed here through the shared reader (not by the dashboard): the
    // demo's spans plus the span the crash handler writes for the crash.
    const totalSpans = await countSpans(spool.dir);
    expect(totalSpans).toBeGreaterThanOrEqual(demo.spanCount);

    // Cards.
    const cards = (await page.locator('#cards .card').allInnerTexts()).join('\n');
    expect(cards).toMatch(/Sessions\s+1\b/i);
    expect(cards).toMatch(new RegExp(`Spans\\s+${totalSpans}\\b`, 'i'));
    expect(cards).toMatch(/Crashes\s+1\b/i);

    // Charts: a uPlot canvas in each panel and the data behind it.
    const charts = [
      'chart-cpu',
      'chart-memory',
      'chart-latency',
      'chart-crash-hosts',
      'chart-crash-versions',
    ];
    for (const id of charts) {
      await expect
        .poll(() => page.locator(`#${id} .uplot canvas`).count(), { message: id })
        .toBe(1);
    }
    const drawn = await page.evaluate(
      () => (globalThis as unknown as DashboardWindow).__dashboard.charts,
    );
    expect(drawn['chart-cpu']!.points).toBe(demo.cpuPoints);
    expect(Math.max(...drawn['chart-cpu']!.data[1]!)).toBeCloseTo(demo.cpuMaxPercent, 6);
    expect(drawn['chart-memory']!.points).toBe(demo.memoryPoints);
    expect(Math.max(...drawn['chart-memory']!.data[1]!)).toBeCloseTo(demo.memoryMaxMiB, 6);
    const latencyCounts = drawn['chart-latency']!.data[1]!;
    expect(latencyCounts.reduce((a, b) => a + b, 0)).toBe(totalSpans);
    expect(drawn['chart-crash-hosts']!.data[1]).toEqual([demo.crashCount]);
    expect(drawn['chart-crash-versions']!.data[1]).toEqual([demo.crashCount]);

    // Screen readers get a text summary of each canvas.
    expect(await page.getAttribute('#chart-cpu', 'aria-label')).toContain(
      `max ${demo.cpuMaxPercent.toFixed(1)} %`,
    );

    // Tables.
    const spanRows = await page.locator('#top-spans tbody tr').allInnerTexts();
    expect(spanRows.find((r) => r.startsWith('GET /presets'))).toMatch(
      new RegExp(`^GET /presets\\s+${demo.traceCount}\\s+0\\.0 %`),
    );
    expect(spanRows.find((r) => r.startsWith('render.frame'))).toContain(demo.renderErrorPercent);
    const eventRows = await page.locator('#top-events tbody tr').allInnerTexts();
    expect(eventRows).toContainEqual(expect.stringMatching(/^preset\.change\s+3$/));

    // A crash group opens its stack: the throwing function is shown as an in-app frame.
    await page.locator('#crash-groups button').first().click();
    const inApp = page.locator('#crash-detail .frames li.in-app', { hasText: demo.crashFunction });
    await inApp.first().waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#crash-detail').innerText()).toContain(demo.crashMessage);

    // The trace waterfall draws one bar per span of the chosen trace.
    await page.locator('#trace-list button', { hasText: 'GET /presets' }).first().click();
    await page.locator('#trace-detail .wf-bar').first().waitFor({ state: 'visible' });
    expect(await page.locator('#trace-detail .wf-bar').count()).toBe(demo.spansPerTrace);
    const widths = await page
      .locator('#trace-detail .wf-bar')
      .evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect().width));
    expect(widths.every((w) => w >= 2)).toBe(true);

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('updates live when another process appends to the spool', async () => {
    const before = await page.locator('#trace-list button').count();
    const refreshes = await page.evaluate(
      () => (globalThis as unknown as DashboardWindow).__dashboard.refreshes as number,
    );
    const traceId = hex(0xfeed, 32);
    const now = Date.now();
    appendLines(spool.dir, 'traces', segmentName(), [
      tracesLine([
        { traceId, spanId: hex(0xfeed, 16), name: 'live.arrival', startMs: now, durationMs: 7 },
      ]),
    ]);
    await page.waitForFunction(
      (n) => (globalThis as unknown as DashboardWindow).__dashboard.refreshes > n,
      refreshes,
    );
    await page.locator('#trace-list button', { hasText: 'live.arrival' }).waitFor();
    expect(await page.locator('#trace-list button').count()).toBe(before + 1);
    expect(consoleErrors).toEqual([]);
  });
});
