// End-to-end: the dashboard in headless Chromium (Debian `chromium`, driven by playwright-core)
// over demo-like spools (one with a crash from a TypeScript app that ships a source map, one
// without a crash, one empty). CI installs chromium before the tests; without it this test
// fails under CI=true (a silent skip there would hide a broken dashboard) and is skipped locally.
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
    charts: Record<string, { points: number; series: number; data: number[][]; kind: string }>;
    traces: { total: number | null; hits: number; query: string };
  };
}
/** The bits of the DOM the page-side callbacks below read (no DOM lib in the test build). */
interface PageGlobals {
  document: {
    documentElement: { scrollWidth: number };
    querySelectorAll(selector: string): Iterable<{
      scrollWidth: number;
      clientWidth: number;
      textContent: string | null;
    }>;
    body: { innerText: string };
  };
  innerWidth: number;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const DESKTOP = { width: 1400, height: 1000 };
const PHONE = { width: 390, height: 844 };

interface Served {
  dir: string;
  url: string;
  server: Server;
  handler: DashboardHandler;
  cleanup: () => void;
}

async function serve(write: (dir: string) => Promise<unknown>): Promise<Served> {
  const spool = makeSpoolDir();
  await write(spool.dir);
  const handler = createDashboardHandler(spool.dir, { pollIntervalMs: 250 });
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { dir: spool.dir, url, server, handler, cleanup: spool.cleanup };
}

async function stop(served: Served | undefined): Promise<void> {
  if (served === undefined) return;
  served.handler.close();
  served.server.closeAllConnections();
  await new Promise<void>((resolve) => served.server.close(() => resolve()));
  served.cleanup();
}

describe.runIf(HAVE_CHROMIUM || IN_CI)('web dashboard in headless Chromium', () => {
  let crashed: Served;
  let calm: Served;
  let empty: Served;
  let demo: DemoSpool;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  /** A fresh page at `viewport` that records console errors and refuses any foreign request. */
  async function newPage(base: string, viewport = DESKTOP): Promise<Page> {
    const p = await browser.newPage({ viewport });
    p.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    p.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
    // The page must work without network: anything not served by the dashboard fails loudly.
    await p.route(
      (target) => !target.href.startsWith(base),
      (route) => {
        consoleErrors.push(`external request: ${route.request().url()}`);
        return route.abort();
      },
    );
    return p;
  }

  async function ready(p: Page, target: string): Promise<void> {
    await p.goto(target);
    await p.waitForFunction(
      () => (globalThis as unknown as DashboardWindow).__dashboard?.ready === true,
    );
  }

  /**
   * No sideways scroll, and no header, card title or caption cut off: each must fit its box.
   */
  async function expectFits(p: Page, what: string): Promise<void> {
    const fit = await p.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      const clipped: string[] = [];
      for (const el of g.document.querySelectorAll(
        'h1, h2:not(.visually-hidden), h3, h4, figcaption, .card .label, .card .value, .pick-title',
      )) {
        if (el.scrollWidth > el.clientWidth + 1) clipped.push(el.textContent ?? '');
      }
      return {
        scrollWidth: g.document.documentElement.scrollWidth,
        innerWidth: g.innerWidth,
        clipped,
      };
    });
    expect(fit.scrollWidth, `${what}: page wider than the screen`).toBeLessThanOrEqual(
      fit.innerWidth,
    );
    expect(fit.clipped, `${what}: clipped titles`).toEqual([]);
  }

  async function screenshot(p: Page, name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, name);
    await p.screenshot({ path, fullPage: true });
    expect(existsSync(path)).toBe(true);
  }

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install Debian's "chromium" package ` +
          '(apt-get install -y chromium) or set CHROMIUM_PATH; the browser test cannot be skipped in CI',
      );
    }
    crashed = await serve(async (dir) => {
      demo = await writeDemoSpool(dir);
    });
    calm = await serve((dir) => writeDemoSpool(dir, { crash: false }));
    empty = await serve(async () => {});
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
    page = await newPage(crashed.url);
  });

  afterAll(async () => {
    await browser?.close();
    await stop(crashed);
    await stop(calm);
    await stop(empty);
  });

  it('loads, draws every chart with data, opens a crash stack and a trace waterfall', async () => {
    await ready(page, crashed.url);

    // Expected numbers, computed here through the shared reader (not by the dashboard): the
    // demo's spans plus the span the crash handler writes for the crash.
    const totalSpans = await countSpans(crashed.dir);
    expect(totalSpans).toBeGreaterThanOrEqual(demo.spanCount);

    // Cards.
    const cards = (await page.locator('#cards .card').allInnerTexts()).join('\n');
    expect(cards).toMatch(/Sessions\s+1\b/i);
    expect(cards).toMatch(new RegExp(`Spans\\s+${totalSpans}\\b`, 'i'));
    expect(cards).toMatch(/Crashes\s+1\b/i);

    // Charts: a uPlot canvas in each time/histogram panel; one host and one version are stats.
    for (const id of ['chart-cpu', 'chart-memory', 'chart-latency']) {
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
    for (const id of ['chart-crash-hosts', 'chart-crash-versions']) {
      expect(drawn[id]).toMatchObject({ kind: 'stat', data: [[0], [demo.crashCount]] });
      expect(await page.locator(`#${id} .stat-value`).innerText()).toBe(String(demo.crashCount));
      expect(await page.locator(`#${id} canvas`).count()).toBe(0);
    }
    expect(await page.locator('#chart-crash-versions .stat-label').innerText()).toContain('1.4.2');
    // The histogram's caption names no unit its axis contradicts: the bucket labels carry theirs.
    const caption = await page.locator('figure:has(#chart-latency) figcaption').innerText();
    expect(caption).toBe('Span latency (spans per duration bucket)');

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

    await screenshot(page, 'dashboard-desktop-crash.png');
    expect(consoleErrors).toEqual([]);
  });

  it('finds the slow error span by attribute and opens it from its URL, also after a reload', async () => {
    await ready(page, crashed.url);
    const form = page.locator('#trace-search');
    await form.locator('input[name=attr]').fill(demo.slowError.attribute);
    await form.locator('input[name=minDuration]').fill('500ms');
    await form.locator('input[name=error]').check();
    await form.locator('select[name=sort]').selectOption('slowest');
    await form.locator('button[type=submit]').click();
    await expect
      .poll(() => page.locator('#trace-total').innerText())
      .toBe('1–1 of 1 matching span');
    const hit = page.locator('#trace-list button');
    expect(await hit.count()).toBe(1);
    expect(await hit.innerText()).toContain('db.query');
    await hit.click();
    await expect
      .poll(() => page.locator('#trace-detail .trace-id').innerText())
      .toBe(`trace ${demo.slowError.traceId}`);
    await expect
      .poll(() => page.locator('#trace-detail .span-detail').innerText())
      .toContain('Broken Bank');

    const link = new URL(page.url());
    expect(link.searchParams.get('trace')).toBe(demo.slowError.traceId);
    expect(link.searchParams.get('span')).toBe(demo.slowError.spanId);
    expect(link.searchParams.getAll('attr')).toEqual([demo.slowError.attribute]);
    expect(link.searchParams.get('error')).toBe('1');

    // The same view after a reload, and in another tab the link was pasted into.
    const check = async (p: Page): Promise<void> => {
      await expect.poll(() => p.locator('#trace-total').innerText()).toBe('1–1 of 1 matching span');
      await expect
        .poll(() => p.locator('#trace-detail .trace-id').innerText())
        .toBe(`trace ${demo.slowError.traceId}`);
      expect(await p.locator('#trace-list button').getAttribute('aria-pressed')).toBe('true');
      expect(await p.locator('#trace-detail .wf-row.picked').getAttribute('data-span-id')).toBe(
        demo.slowError.spanId,
      );
      expect(await p.locator('#trace-search input[name=attr]').inputValue()).toBe(
        demo.slowError.attribute,
      );
      expect(await p.locator('#trace-search input[name=error]').isChecked()).toBe(true);
    };
    await page.reload();
    await check(page);
    const pasted = await newPage(crashed.url);
    await ready(pasted, link.href);
    await check(pasted);
    await pasted.close();

    // A bad filter is refused by the server with its reason, shown where the results go.
    await form.locator('input[name=minDuration]').fill('fast');
    await form.locator('button[type=submit]').click();
    await expect
      .poll(() => page.locator('#trace-list').innerText())
      .toContain('minDuration "fast": expected a duration');
    consoleErrors.length = 0; // the 400 above is logged by the browser on purpose
  });

  it('shows a crash frame of a TypeScript app at its .ts path and line, its group by release and host', async () => {
    await ready(page, crashed.url);
    await page.locator('#crash-groups button').first().click();
    const frame = page.locator('#crash-detail .frames li.in-app', { hasText: demo.crashFunction });
    await frame.first().waitFor({ state: 'visible' });
    const where = await frame.first().locator('.where').innerText();
    expect(where).toMatch(
      new RegExp(`^${escape(demo.crashSource.file)}:${demo.crashSource.line}:\\d+$`),
    );
    // The report keeps the JavaScript location and the source lines too (stack-frames.ts);
    // the crash reader passes them to the page once it validates those fields.
    // First and last seen, and the per-release and per-host breakdown.
    const facts = await page.locator('#crash-detail .facts').innerText();
    expect(facts).toMatch(/first seen \d{4}-\d\d-\d\d/);
    expect(facts).toMatch(/last seen \d{4}-\d\d-\d\d/);
    expect(await page.locator('#crash-detail table.breakdown').first().innerText()).toMatch(
      /1\.4\.2\s+1\s+100 %/,
    );
    // Breadcrumbs keep their attributes.
    const crumbs = await page.locator('#crash-detail .breadcrumbs').innerText();
    expect(crumbs).toMatch(/loaded reverb\.vst3[\s\S]*format\s+vst3[\s\S]*latencyMs\s+12/);
    expect(new URL(page.url()).searchParams.get('crash')).toMatch(/^[0-9a-f]{16}$/);

    await page.setViewportSize(PHONE);
    await expectFits(page, 'crash opened, 390 px');
    await screenshot(page, 'dashboard-phone-crash.png');
    await page.setViewportSize(DESKTOP);
  });

  it('never scrolls sideways at 390 px and says how to get data in when empty', async () => {
    for (const [name, served] of [
      ['crash', crashed],
      ['no crash', calm],
      ['empty', empty],
    ] as const) {
      const p = await newPage(served.url, PHONE);
      await ready(p, served.url);
      await expectFits(p, `${name}: first view`);
      if (served !== empty) {
        await p.locator('#trace-list button').first().click();
        await p.locator('#trace-detail .wf-bar').first().waitFor({ state: 'visible' });
        await expectFits(p, `${name}: trace opened`);
      }
      if (served === crashed) {
        await p.locator('#crash-groups button').first().click();
        await p.locator('#crash-detail .frames').waitFor({ state: 'visible' });
        await expectFits(p, `${name}: crash opened`);
      }
      const text = await p.evaluate(
        () => (globalThis as unknown as PageGlobals).document.body.innerText,
      );
      expect(text, 'no emoji the fonts may not have').not.toMatch(/\p{Extended_Pictographic}/u);
      if (served === calm) {
        // No crash is the truth here, not missing data.
        expect(await p.locator('#crash-groups').innerText()).toBe('No crashes recorded.');
        expect(await p.locator('#chart-crash-hosts').innerText()).toBe('No crashes');
        expect(await p.locator('#chart-crash-versions').innerText()).toBe('No crashes');
        await screenshot(p, 'dashboard-phone.png');
        await p.setViewportSize(DESKTOP);
        await screenshot(p, 'dashboard-desktop.png');
      }
      if (served === empty) {
        const command = `npx spool demo --dir ${served.dir}`;
        expect(await p.locator('#chart-cpu').innerText()).toContain(command);
        expect(await p.locator('#chart-latency').innerText()).toContain(command);
        expect(await p.locator('#trace-list').innerText()).toContain(command);
        expect(await p.locator('#chart-crash-hosts').innerText()).toBe('No crashes');
        await screenshot(p, 'dashboard-phone-empty.png');
      }
      await p.close();
    }
    expect(consoleErrors).toEqual([]);
  });

  it('updates live when another process appends to the spool', async () => {
    await ready(page, crashed.url);
    const before = await page.evaluate(
      () => (globalThis as unknown as DashboardWindow).__dashboard.traces.total,
    );
    const refreshes = await page.evaluate(
      () => (globalThis as unknown as DashboardWindow).__dashboard.refreshes,
    );
    const traceId = hex(0xfeed, 32);
    const now = Date.now();
    appendLines(crashed.dir, 'traces', segmentName(), [
      tracesLine([
        { traceId, spanId: hex(0xfeed, 16), name: 'live.arrival', startMs: now, durationMs: 7 },
      ]),
    ]);
    await page.waitForFunction(
      (n) => (globalThis as unknown as DashboardWindow).__dashboard.refreshes > n,
      refreshes,
    );
    // Newest first: the new span heads the list, and the total counts it.
    await expect
      .poll(() => page.locator('#trace-list button').first().innerText())
      .toContain('live.arrival');
    expect(
      await page.evaluate(
        () => (globalThis as unknown as DashboardWindow).__dashboard.traces.total,
      ),
    ).toBe((before ?? 0) + 1);
    expect(consoleErrors).toEqual([]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
