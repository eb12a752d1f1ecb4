import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readSpool,
  type LogsData,
  type MetricsData,
  type TracesData,
} from '@otelspool/exporter-jsonl';

// Issue 12 ("the first hour"): what README.md and TELEMETRY_GUIDE.md tell a new user to do, in
// a fresh HOME, with the built packages (`npx tsc -b` first; npm test builds): instrument an app
// with a service name, then a bare `spool report`, `spool crashes`, `spool check`,
// `spool consent grant` and `spool sync` into a local `spool serve` — no --dir anywhere.
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SDK = pathToFileURL(join(REPO, 'packages/sdk/dist/index.js')).href;
const BIN = join(REPO, 'packages/cli/dist/bin/spool.js');

const SPANS = 25;
const APP = `
import { startTelemetry } from ${JSON.stringify(SDK)};
const telemetry = await startTelemetry({ serviceName: 'my-plugin', serviceVersion: '1.4.2' });
for (let i = 0; i < ${SPANS}; i++) {
  const span = telemetry.tracer.startSpan('process-block', { attributes: { 'block.index': i } });
  span.end();
}
telemetry.meter.createCounter('plugin.blocks').add(${SPANS});
telemetry.event('preset.change', { 'preset.name': 'Warm Pad' });
telemetry.log.info('plugin loaded');
if (process.argv[2] === 'crash') {
  await telemetry.forceFlush();
  setTimeout(() => {
    throw new Error('boom in the audio thread');
  }, 10);
} else {
  await telemetry.shutdown();
}
`;

let home: string;
let root: string;
let appDir: string;
let env: NodeJS.ProcessEnv;

function node(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, {
    env,
    cwd: home,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const spool = (...args: string[]): ReturnType<typeof node> => node([BIN, ...args]);

interface Counts {
  spans: number;
  dataPoints: number;
  logRecords: number;
}

/** Log records with an event name seen by the last countSpool(). */
let eventsSeen = 0;

/** What a spool holds for one service, counted straight from the segments. */
async function countSpool(dir: string, service: string): Promise<Counts> {
  const c: Counts = { spans: 0, dataPoints: 0, logRecords: 0 };
  eventsSeen = 0;
  const isService = (
    resource: { attributes?: Array<{ key: string; value: unknown }> } | undefined,
  ) =>
    resource?.attributes?.some(
      (a) =>
        a.key === 'service.name' && (a.value as { stringValue?: string }).stringValue === service,
    ) === true;
  for await (const r of readSpool(dir)) {
    if (r.signal === 'traces') {
      for (const rs of (r.data as TracesData).resourceSpans ?? [])
        if (isService(rs.resource as never))
          for (const ss of rs.scopeSpans ?? []) c.spans += (ss.spans ?? []).length;
    } else if (r.signal === 'metrics') {
      for (const rm of (r.data as MetricsData).resourceMetrics ?? [])
        if (isService(rm.resource as never))
          for (const sm of rm.scopeMetrics ?? [])
            for (const m of sm.metrics ?? []) {
              const metric = m as unknown as Record<string, { dataPoints?: unknown[] } | undefined>;
              for (const kind of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'])
                c.dataPoints += metric[kind]?.dataPoints?.length ?? 0;
            }
    } else {
      for (const rl of (r.data as LogsData).resourceLogs ?? [])
        if (isService(rl.resource as never))
          for (const sl of rl.scopeLogs ?? []) {
            c.logRecords += (sl.logRecords ?? []).length;
            for (const lr of sl.logRecords ?? []) {
              const rec = lr as { eventName?: string; attributes?: Array<{ key: string }> };
              if (rec.eventName || rec.attributes?.some((a) => a.key === 'event.name'))
                eventsSeen += 1;
            }
          }
    }
  }
  return c;
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'first-hour-'));
  root = join(home, '.local', 'share', 'otelspool');
  appDir = join(root, 'my-plugin');
  env = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, '.local', 'share') };
  for (const k of ['SPOOL_DIR', 'OTEL_SERVICE_NAME', 'OTEL_SDK_DISABLED', 'FORCE_COLOR'])
    delete env[k];
  env.NO_COLOR = '1';
  writeFileSync(join(home, 'app.mjs'), APP);
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('the first hour, in a fresh HOME', () => {
  it('the app writes under the otelspool root and every bare command finds it', async () => {
    const app = node([join(home, 'app.mjs')]);
    expect(app.code, app.stderr).toBe(0);
    expect(existsSync(appDir)).toBe(true);
    const held = await countSpool(appDir, 'my-plugin');
    expect(held.spans).toBeGreaterThanOrEqual(SPANS);

    const report = spool('report', '--json');
    expect(report.code, report.stderr).toBe(0);
    expect(report.stderr).toBe(`spool: using ${appDir}\n`);
    const r = JSON.parse(report.stdout);
    expect(r.dir).toBe(appDir);
    expect(r.services).toEqual(['my-plugin']);
    expect(r.input.items).toEqual(held);
    expect(r.spans.overall.count).toBe(held.spans);
    expect(r.events.total).toBe(eventsSeen);
    expect(r.events.top).toContainEqual(
      expect.objectContaining({ key: 'preset.change', count: 1 }),
    );
    expect(r.crashes.total).toBe(0);

    const crashes = spool('crashes');
    expect(crashes.code, crashes.stderr).toBe(0);
    expect(crashes.stderr).toContain(`spool: using ${appDir}`);
    expect(crashes.stdout).toContain('no crashes recorded');

    const check = spool('check', '--max-crashes', '0');
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('PASS max-crashes');
  });

  it('a crash shows up in crashes, report and check', async () => {
    const app = node([join(home, 'app.mjs'), 'crash']);
    expect(app.code).not.toBe(0);
    const files = readdirSync(join(appDir, 'crashes')).filter((f) => f.startsWith('crash_report_'));
    expect(files).toHaveLength(1);

    const crashes = spool('crashes');
    expect(crashes.code, crashes.stderr).toBe(0);
    expect(crashes.stdout).toContain('boom in the audio thread');

    const report = JSON.parse(spool('report', '--json').stdout);
    expect(report.crashes.total).toBe(files.length);
    const held = await countSpool(appDir, 'my-plugin');
    expect(report.input.items).toEqual(held);
    expect(report.spans.overall.count).toBe(held.spans);
    expect(report.events.total).toBe(eventsSeen);

    const check = spool('check', '--max-crashes', '0');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('FAIL max-crashes');
  });

  it('consent grant then sync (no --dir) send every record to a local spool serve', async () => {
    const grant = spool('consent', 'grant');
    expect(grant.code, grant.stderr).toBe(0);
    expect(grant.stderr).toContain(`spool: using ${appDir}`);
    expect(existsSync(join(appDir, 'consent.json'))).toBe(true);

    // What the spool holds before the sync is what must arrive (the sync then appends its own
    // self-metrics to the spool, for the next sync).
    const held = await countSpool(appDir, 'my-plugin');
    const received = join(home, 'received');
    const serve = spawn(
      process.execPath,
      [BIN, 'serve', '--dir', received, '--port', '0', '--json', '--no-dashboard'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let serveErr = '';
    serve.stderr.on('data', (c: Buffer) => (serveErr += c.toString()));
    const exited = new Promise<number | null>((resolve) =>
      serve.on('exit', (code) => resolve(code)),
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        serve.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          try {
            resolve((JSON.parse(out) as { url: string }).url);
          } catch {
            // wait for the whole document
          }
        });
        void exited.then(() => reject(new Error(`serve exited early: ${serveErr}`)));
      });
      const sync = spool('sync', '--endpoint', url, '--json');
      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.stderr).toContain(`spool: using ${appDir}`);
      expect(JSON.parse(sync.stdout).totals.recordsSent).toBe(
        held.spans + held.dataPoints + held.logRecords,
      );
    } finally {
      serve.kill('SIGTERM');
    }
    expect(await exited, serveErr).toBe(0);
    expect(await countSpool(received, 'my-plugin')).toEqual(held);
  });

  it('spool demo --crash then spool crashes; with two services a bare command asks', () => {
    const demo = spool('demo', '--duration', '1', '--crash', '--json');
    expect(demo.code, demo.stderr).toBe(0);
    const demoDir = join(root, 'demo-plugin-host');
    expect(demo.stderr).toContain(`spool: using ${demoDir}`);
    const ask = spool('crashes');
    expect(ask.code).toBe(2);
    expect(ask.stderr).toContain('demo-plugin-host, my-plugin');
    const crashes = spool('crashes', '--service', 'demo-plugin-host', '--json');
    expect(crashes.code, crashes.stderr).toBe(0);
    expect(JSON.parse(crashes.stdout).groups.length).toBeGreaterThan(0);
    const mine = spool('crashes', '--service', 'my-plugin');
    expect(mine.stdout).toContain('boom in the audio thread');
  });

  it('a CI gate with a typo fails', () => {
    const check = spool('check', '--max-crashes', '0', '--dir', '/nonexistent');
    expect(check.code).toBe(1);
    expect(check.stdout).toBe('');
    expect(check.stderr).toContain('/nonexistent');
  });
});
