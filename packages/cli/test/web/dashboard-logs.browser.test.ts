// End-to-end: the dashboard's Logs view in headless Chromium (Debian `chromium`, driven by
// playwright-core, as dashboard.browser.test.ts) over the demo spool with a real crash: the
// FATAL record the crash handler wrote is found by severity and by a LogQL query, its trace
// link opens that trace, its crash link opens its group, and the trace and crash views lead
// back to their logs. Every expected number is counted from the spool here (readSpool +
// forEachLogRecord), not taken from the dashboard.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  attributeText,
  forEachLogRecord,
  readSpool,
  type LogRecord,
  type LogsData,
} from '@otelspool/exporter-jsonl';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler, type DashboardHandler } from '../../src/web/index.js';
import { writeDemoSpool, type DemoSpool } from './demo-spool.js';
import { makeSpoolDir } from './spool-fixture.js';

interface DashboardWindow {
  __dashboard: { ready: boolean; logs: { total: number | null; records: number } };
}
interface PageGlobals {
  document: { documentElement: { scrollWidth: number } };
  innerWidth: number;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const DESKTOP = { width: 1400, height: 1000 };
const PHONE = { width: 390, height: 844 };

/** Log records of the spool that pass `keep`, read through the shared reader. */
async function logsInSpool(dir: string, keep: (r: LogRecord) => boolean): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const record of readSpool(dir, { signals: ['logs'] })) {
    forEachLogRecord(record.data as LogsData, (log) => {
      if (keep(log)) out.push(log);
    });
  }
  return out;
}

const recordsLine = (n: number): string =>
  `1–${n} of ${n} matching record${n === 1 ? '' : 's'}, newest first`;

describe.runIf(HAVE_CHROMIUM || IN_CI)('dashboard logs view in headless Chromium', () => {
  let dir: string;
  let cleanup: () => void;
  let url: string;
  let server: Server;
  let handler: DashboardHandler;
  let demo: DemoSpool;
  let browser: Browser;
  let page: Page;
  let fatal: LogRecord;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install Debian's "chromium" package ` +
          '(apt-get install -y chromium) or set CHROMIUM_PATH; the browser test cannot be skipped in CI',
      );
    }
    ({ dir, cleanup } = makeSpoolDir());
    demo = await writeDemoSpool(dir);
    const fatals = await logsInSpool(dir, (r) => (r.severityNumber ?? 0) >= 21);
    expect(fatals).toHaveLength(1);
    fatal = fatals[0]!;
    expect(fatal.traceId).toMatch(/^[0-9a-f]{32}$/);
    handler = createDashboardHandler(dir, { pollIntervalMs: 250 });
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: DESKTOP });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
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
    cleanup?.();
  });

  async function ready(target: string): Promise<void> {
    await page.goto(target);
    await page.waitForFunction(
      () => (globalThis as unknown as DashboardWindow).__dashboard?.ready === true,
    );
  }

  it('filters to the FATAL crash record by severity and by LogQL, and jumps to its trace', async () => {
    await ready(url);
    const allLogs = await logsInSpool(dir, () => true);
    await expect
      .poll(() => page.locator('#log-total').innerText())
      .toBe(
        `1–${Math.min(50, allLogs.length)} of ${allLogs.length} matching records, newest first`,
      );

    const form = page.locator('#log-search');
    await form.locator('select[name=severity]').selectOption('fatal'); // submits on change
    await expect.poll(() => page.locator('#log-total').innerText()).toBe(recordsLine(1));
    const row = page.locator('#log-list .log-row');
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-severity')).toBe('FATAL');
    expect(await row.innerText()).toContain(demo.crashMessage);
    expect(new URL(page.url()).searchParams.get('log.severity')).toBe('fatal');

    // The same record by a LogQL query, from a link that survives a reload.
    await form.locator('select[name=severity]').selectOption('');
    const query = '{service_name="demo-plugin-host", level="fatal"} |= "is corrupt"';
    await form.locator('input[name=q]').fill(query);
    await form.locator('button[type=submit]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('log.q')).toBe(query);
    await page.reload();
    await page.waitForFunction(
      () => (globalThis as unknown as DashboardWindow).__dashboard?.ready === true,
    );
    await expect.poll(() => page.locator('#log-total').innerText()).toBe(recordsLine(1));
    expect(await page.locator('#log-search input[name=q]').inputValue()).toBe(query);
    expect(await page.locator('#log-list .log-row').innerText()).toContain(demo.crashMessage);

    // Its trace link opens that trace in the Traces view, in the URL too.
    await page.locator('#log-list .log-row button[data-link=trace]').click();
    await expect
      .poll(() => page.locator('#trace-detail .trace-id').innerText())
      .toBe(`trace ${fatal.traceId}`);
    expect(new URL(page.url()).searchParams.get('trace')).toBe(fatal.traceId);

    // And back: the trace's logs are every record carrying its trace id.
    const traceLogs = await logsInSpool(dir, (r) => r.traceId === fatal.traceId);
    await page.locator('#trace-detail button[data-link=trace-logs]').click();
    await expect
      .poll(() => page.locator('#log-total').innerText())
      .toBe(recordsLine(traceLogs.length));
    const link = new URL(page.url());
    expect(link.searchParams.get('log.trace')).toBe(fatal.traceId);
    expect(link.searchParams.get('log.q')).toBeNull();

    await screenshot('dashboard-logs-desktop.png');
    expect(consoleErrors).toEqual([]);
  });

  it('links a crash record to its crash group, and the crash to its session logs', async () => {
    await ready(`${url}?log.severity=fatal`);
    await expect.poll(() => page.locator('#log-total').innerText()).toBe(recordsLine(1));
    const signature = attributeText(fatal.attributes, 'otelspool.crash.signature');
    const session = attributeText(fatal.attributes, 'session.id');
    expect(signature).toMatch(/^[0-9a-f]{16}$/);
    await page.locator('#log-list .log-row button[data-link=crash]').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('crash')).toBe(signature);
    await expect.poll(() => page.locator('#crash-detail').innerText()).toContain(demo.crashMessage);
    expect(
      await page.locator('#crash-groups button[aria-pressed=true]').getAttribute('data-pick-id'),
    ).toBe(signature);

    const sessionLogs = await logsInSpool(
      dir,
      (r) => attributeText(r.attributes, 'session.id') === session,
    );
    expect(sessionLogs.length).toBeGreaterThanOrEqual(1);
    await page.locator('#crash-detail button[data-link=session-logs]').click();
    await expect
      .poll(() => page.locator('#log-total').innerText())
      .toBe(recordsLine(sessionLogs.length));
    expect(new URL(page.url()).searchParams.get('log.session')).toBe(session);
    expect(new URL(page.url()).searchParams.get('log.severity')).toBeNull();
    expect(consoleErrors).toEqual([]);
  });

  it('never scrolls sideways at 390 px on the logs view, and says why a query is refused', async () => {
    await page.setViewportSize(PHONE);
    await ready(`${url}?log.severity=info#logs-title`);
    await expect.poll(() => page.locator('#log-list .log-row').count()).toBeGreaterThan(1);
    const fit = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return { scrollWidth: g.document.documentElement.scrollWidth, innerWidth: g.innerWidth };
    });
    expect(fit.scrollWidth).toBeLessThanOrEqual(fit.innerWidth);
    await screenshot('dashboard-logs-phone.png');

    // A query outside the subset: the server's reason, where the results go.
    await page.locator('#log-search input[name=q]').fill('{service_name="x"} | logfmt');
    await page.locator('#log-search button[type=submit]').click();
    await expect.poll(() => page.locator('#log-list').innerText()).toContain('outside the subset');
    consoleErrors.length = 0; // the 400 above is logged by the browser on purpose
    await page.setViewportSize(DESKTOP);
  });

  async function screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, name);
    // The logs panel itself, at its full height (the whole page is dashboard-desktop.png).
    await page.locator('section:has(#logs-title)').screenshot({ path });
    expect(existsSync(path)).toBe(true);
  }
});
