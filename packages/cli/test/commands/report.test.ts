import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/analysis/index.js';
import {
  appendLines,
  logsLine,
  metricsLine,
  segmentName,
  T0,
  tempSpool,
  tracesLine,
  writeCrash,
  writeLedger,
} from '../analysis/report-fixture.js';
import { run } from './capture.js';

const ESC = '\u001b[';
let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempSpool('spool-report-cmd-'));
  appendLines(dir, 'traces', segmentName(), [
    tracesLine('synth', [
      { name: 'process_block', startMs: T0, durationMs: 2 },
      { name: 'process_block', startMs: T0 + 1000, durationMs: 4, error: true },
      { name: 'load_plugin', startMs: T0 + 2000, durationMs: 120 },
    ]),
  ]);
  appendLines(dir, 'logs', segmentName(), [
    logsLine('synth', [{ atMs: T0, eventName: 'buffer.underrun' }]),
  ]);
  appendLines(dir, 'metrics', segmentName(), [
    metricsLine('synth', [
      {
        kind: 'gauge',
        name: 'process.cpu.utilization',
        points: [
          { atMs: T0, value: 0.25 },
          { atMs: T0 + 5000, value: 0.5 },
        ],
      },
      {
        kind: 'gauge',
        name: 'process.memory.usage',
        points: [{ atMs: T0, value: 50 * 1024 * 1024 }],
      },
    ]),
  ]);
  writeLedger(dir, [
    { id: 's1', installId: 'i1', startedMs: T0, state: 'exited' },
    { id: 's2', installId: 'i2', startedMs: T0, state: 'crashed' },
  ]);
  writeCrash(dir, {
    id: 'd1000000000000a1',
    atMs: T0 + 3000,
    signature: 'cccccccccccccccc',
    sessionId: 's2',
    installId: 'i2',
    host: 'studio-1',
    version: '2.0.0',
  });
});
afterAll(() => cleanup());
afterEach(() => {
  delete process.env.NO_COLOR;
  delete process.env.FORCE_COLOR;
});

describe('spool report', () => {
  it('prints every dashboard section as plain text when stdout is not a TTY', async () => {
    const { code, stdout, stderr } = await run(['report', '--dir', dir]);
    expect(stderr).toBe(`spool: using ${dir}\n`);
    expect(code).toBe(0);
    expect(stdout).not.toContain(ESC);
    for (const heading of [
      'Sessions',
      'Crashes (1 in 1 groups)',
      'Top spans (3 spans, 33.33 % errors',
      'Top events (1)',
      'Resources',
      'Telemetry health',
    ]) {
      expect(stdout).toContain(heading);
    }
    expect(stdout).toMatch(/│\s+2 │\s+1 │\s+0 │\s+0 │\s+50\.00 % │/); // sessions row
    expect(stdout).toContain('studio-1');
    expect(stdout).toContain('buffer.underrun');
    expect(stdout).toMatch(/process_block\s+│\s+2 │\s+50\.0 %/);
    // CPU sparkline on a fixed 0..100 scale: 25 % and 50 % → ▃ and ▅ (levels round(0.25×7)=2, round(0.5×7)=4).
    expect(stdout).toContain('CPU %    ▃▅');
    expect(stdout).toContain('max 50.0 %');
    expect(stdout).toContain('50.0 MiB');
  });

  it('colours only when asked for and never with NO_COLOR', async () => {
    process.env.FORCE_COLOR = '1';
    const coloured = await run(['report', '--dir', dir]);
    expect(coloured.stdout).toContain(ESC);
    process.env.NO_COLOR = '1';
    const plain = await run(['report', '--dir', dir]);
    expect(plain.stdout).not.toContain(ESC);
    delete process.env.NO_COLOR;
    const json = await run(['report', '--dir', dir, '--json']);
    expect(json.stdout).not.toContain(ESC);
  });

  it('--json prints the Report of buildReport', async () => {
    const { code, stdout } = await run(['report', '--dir', dir, '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    const direct = JSON.parse(JSON.stringify(await buildReport(dir)));
    delete parsed.generatedAt;
    delete direct.generatedAt;
    expect(parsed).toEqual(direct);
    expect(parsed.schemaVersion).toBe(1);
    expect(Object.keys(parsed).sort()).toEqual(
      [
        'crashes',
        'dir',
        'events',
        'filters',
        'health',
        'input',
        'resources',
        'schemaVersion',
        'services',
        'sessions',
        'spans',
        'timeRange',
        'generatedAt',
      ]
        .filter((k) => k !== 'generatedAt')
        .sort(),
    );
    expect(parsed.spans.overall).toMatchObject({ count: 3, errors: 1 });
  });

  it('exits 2 on a bad --since', async () => {
    const { code, stderr } = await run(['report', '--dir', dir, '--since', 'last tuesday']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--since "last tuesday": expected a duration/);
  });
});

describe('spool report on a real demo spool', () => {
  const BIN = fileURLToPath(new URL('../../dist/bin/spool.js', import.meta.url));
  let demo: { dir: string; cleanup: () => void };

  beforeAll(() => {
    demo = tempSpool('spool-report-demo-');
    // Two real runs of the sample plugin host (the second crashes), as child processes on dist.
    for (const args of [
      ['--duration', '1'],
      ['--duration', '1', '--crash'],
    ]) {
      execFileSync(process.execPath, [BIN, 'demo', '--dir', demo.dir, '--json', ...args], {
        stdio: 'ignore',
      });
    }
  }, 60_000);
  afterAll(() => demo.cleanup());

  /** Independent count: plain JSON.parse of every segment line, no shared reader. */
  function countDirectly(dir: string) {
    let spans = 0;
    let errors = 0;
    const events = new Map<string, number>();
    for (const signal of ['traces', 'logs']) {
      for (const f of readdirSync(join(dir, signal))) {
        for (const line of readFileSync(join(dir, signal, f), 'utf8').split('\n')) {
          if (!line) continue;
          const data = JSON.parse(line);
          for (const rs of data.resourceSpans ?? [])
            for (const ss of rs.scopeSpans ?? [])
              for (const s of ss.spans ?? []) {
                spans++;
                if (s.status?.code === 2) errors++;
              }
          for (const rl of data.resourceLogs ?? [])
            for (const sl of rl.scopeLogs ?? [])
              for (const r of sl.logRecords ?? []) {
                const name =
                  r.eventName ||
                  r.attributes?.find((a: { key: string }) => a.key === 'event.name')?.value
                    ?.stringValue;
                if (name) events.set(name, (events.get(name) ?? 0) + 1);
              }
        }
      }
    }
    const ledger = readFileSync(join(dir, 'session', 'ledger.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    return { spans, errors, events, ledger, crashes: readdirSync(join(dir, 'crashes')).length };
  }

  it('matches counts computed directly from the files', async () => {
    const { code, stdout } = await run(['report', '--dir', demo.dir, '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    const direct = countDirectly(demo.dir);
    expect(direct.spans).toBeGreaterThan(0);
    expect(r.spans.overall.count).toBe(direct.spans);
    expect(r.spans.overall.errors).toBe(direct.errors);
    expect(r.events.total).toBe([...direct.events.values()].reduce((a, b) => a + b, 0));
    expect(r.crashes.total).toBe(direct.crashes);
    expect(direct.crashes).toBe(1);
    const starts = direct.ledger.filter((e) => e.event === 'start').length;
    const crashed = direct.ledger.filter((e) => e.event === 'end' && e.state === 'crashed').length;
    expect(r.sessions.total).toBe(starts);
    expect(r.sessions.crashed).toBe(crashed);
    expect(r.sessions.crashFreeSessionRate).toBeCloseTo((starts - crashed) / starts, 12);
    expect(r.resources.cpuPercent.points.length).toBeGreaterThan(0);
    expect(r.resources.memoryBytes.last).toBeGreaterThan(1024 * 1024);
    expect(r.health.recordsWritten).toBeGreaterThan(0);
  });

  it('gates, reports the incident and exports the same spool', async () => {
    expect((await run(['check', '--dir', demo.dir, '--max-crashes', '0'])).code).toBe(1);
    expect((await run(['check', '--dir', demo.dir, '--max-crashes', '1'])).code).toBe(0);
    const group = JSON.parse((await run(['report', '--dir', demo.dir, '--json'])).stdout).crashes
      .topGroups[0];
    const incident = await run(['incident', group.id, '--dir', demo.dir]);
    expect(incident.code).toBe(0);
    expect(incident.stdout).toContain(`\`${group.id}\``);
    expect(incident.stdout).toMatch(/\*\*Severity:\*\* SEV-1/); // 1 of the 2 sessions crashed
    const out = join(demo.dir, 'demo-trace.json');
    expect(
      (await run(['export', '--dir', demo.dir, '--format', 'chrome-trace', '--out', out])).code,
    ).toBe(0);
    const events = JSON.parse(readFileSync(out, 'utf8')).traceEvents as { ph: string }[];
    expect(events.filter((e) => e.ph === 'X')).toHaveLength(countDirectly(demo.dir).spans);
  });
});
