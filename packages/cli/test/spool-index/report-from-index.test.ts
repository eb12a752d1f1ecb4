import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';
import { buildReport } from '../../src/analysis/build-report.js';
import { HOUR_MS } from '../../src/analysis/report-partitions.js';
import { updateSpoolIndex } from '../../src/spool-index/index-spool.js';
import { reportJson as report, runSpool as run, SPOOL_BIN } from './built-cli.js';

// Real spools written by `spool demo` (a plugin host process, with and without a crash), read
// by the built CLI: the report merged from the index must be the scan's, byte for byte.
const root = mkdtempSync(join(tmpdir(), 'otelspool-index-report-'));

function expectSame(dir: string, ...args: string[]): Record<string, unknown> {
  const scan = report(dir, '--no-index', ...args);
  const indexed = report(dir, ...args);
  expect(indexed).toEqual(scan);
  return indexed;
}

function segments(dir: string, signal: string): string[] {
  return readdirSync(join(dir, signal))
    .filter((n) => n.endsWith('.jsonl'))
    .sort();
}

/** A sync cursor acknowledging the first half (by bytes) of every traces segment. */
function writeCursor(dir: string): void {
  mkdirSync(join(dir, 'sync'), { recursive: true, mode: 0o700 });
  const acked: Record<string, number> = {};
  for (const name of segments(dir, 'traces')) {
    const text = readFileSync(join(dir, 'traces', name), 'utf8');
    const half = text.indexOf('\n', Math.floor(text.length / 2));
    acked[`traces/${name.replace(/\.jsonl$/, '')}`] = half + 1;
  }
  writeFileSync(
    join(dir, 'sync', 'collector.json'),
    JSON.stringify({
      version: 1,
      destination: 'collector',
      urls: [],
      signals: [],
      updatedAt: '2026-12-02T00:00:00.000Z',
      segments: acked,
    }),
    { mode: 0o600 },
  );
}

function spans(r: object): { count: number; errors: number } {
  return (r as { spans: { overall: { count: number; errors: number } } }).spans.overall;
}

describe('spool report from the index', () => {
  const dir = join(root, 'spool');
  beforeAll(() => {
    run('demo', '--dir', dir, '--duration', '1', '--json');
    run('demo', '--dir', dir, '--duration', '1', '--crash', '--json');
    writeCursor(dir);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('equals the scan on demo spools with a crash and a sync cursor', () => {
    expect(existsSync(indexDbPath(dir))).toBe(false);
    run('index', '--dir', dir);
    const r = expectSame(dir);
    expect(spans(r).count).toBeGreaterThan(0);
    expect((r.crashes as { total: number }).total).toBe(1);
    expect((r.health as { sync: unknown[] }).sync).toHaveLength(1);
  });

  it('equals the scan with --service and --since (mid-hour, on the hour, after the data)', () => {
    const r = report(dir, '--no-index');
    const { startUnixMs, endUnixMs } = r.timeRange as { startUnixMs: number; endUnixMs: number };
    const service = (r.services as string[])[0];
    expect(service).toBeDefined();
    expectSame(dir, '--service', service!);
    expectSame(dir, '--service', 'no-such-service');
    const mid = new Date(Math.round((startUnixMs + endUnixMs) / 2)).toISOString();
    const filtered = expectSame(dir, '--since', mid);
    expect(spans(filtered).count).toBeLessThan(spans(r).count);
    expect(spans(filtered).count).toBeGreaterThan(0);
    expectSame(dir, '--since', new Date(Math.floor(startUnixMs / HOUR_MS) * HOUR_MS).toISOString());
    expectSame(dir, '--since', new Date(Math.ceil(endUnixMs / HOUR_MS) * HOUR_MS).toISOString());
    expectSame(dir, '--since', mid, '--service', service!);
  });

  it('stays equal incrementally: another run, lines appended, a malformed line, a new segment', () => {
    run('demo', '--dir', dir, '--duration', '1', '--json');
    expectSame(dir);
    // The active segment grows (from where the index stopped), with a malformed line between.
    const [first, last] = [segments(dir, 'traces')[0]!, segments(dir, 'traces').at(-1)!];
    const lines = readFileSync(join(dir, 'traces', first), 'utf8')
      .split('\n')
      .filter(Boolean);
    appendFileSync(join(dir, 'traces', last), `${lines[0]}\n{"not otlp\n${lines[1]}\n`);
    expectSame(dir);
    // Rotation: a new segment after the others.
    const next = last.replace(
      /_(\d{6})\.jsonl$/,
      (_m, n: string) => `_${String(Number(n) + 1).padStart(6, '0')}.jsonl`,
    );
    writeFileSync(join(dir, 'traces', next), `${lines.slice(2, 6).join('\n')}\n`, { mode: 0o600 });
    writeCursor(dir);
    const r = expectSame(dir);
    expect((r.input as { malformedLines: number }).malformedLines).toBe(1);
  });

  it('rebuilds an index whose dir or database file was deleted, and equals the scan again', () => {
    rmSync(join(dir, 'index'), { recursive: true, force: true });
    run('index', '--dir', dir);
    rmSync(indexDbPath(dir), { force: true });
    rmSync(`${indexDbPath(dir)}-wal`, { force: true });
    rmSync(`${indexDbPath(dir)}-shm`, { force: true });
    // No index file: the report scans; `spool index` builds a fresh one from the spool.
    expect(existsSync(indexDbPath(dir))).toBe(false);
    run('index', '--dir', dir);
    expectSame(dir);
  });
});

describe('rollups that outlive the spool', () => {
  const dir = join(root, 'evicted');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keep an evicted segment in the index report, not in the scan, until their retention', async () => {
    run('demo', '--dir', dir, '--duration', '1', '--json');
    run('demo', '--dir', dir, '--duration', '1', '--crash', '--json');
    run('index', '--dir', dir);
    const before = report(dir);
    const evicted = segments(dir, 'traces')[0]!;
    unlinkSync(join(dir, 'traces', evicted));

    const scan = report(dir, '--no-index');
    const indexed = report(dir);
    expect(spans(scan).count).toBeLessThan(spans(before).count);
    expect(spans(indexed)).toEqual(spans(before));
    expect(indexed.sessions).toEqual(before.sessions);
    expect(indexed.crashes).toEqual(before.crashes);
    // What the spool holds is counted from the spool alone.
    expect((indexed.health as { recordsInSpool: number }).recordsInSpool).toBe(
      (scan.health as { recordsInSpool: number }).recordsInSpool,
    );

    // A later update keeps the rollups; so does one whose clock jumped 500 days ahead: the
    // retention counts back from the newest hour the index holds, not from a wrong clock.
    await updateSpoolIndex(dir);
    expect(spans(await buildReport(dir))).toEqual(spans(before));
    await updateSpoolIndex(dir, { now: Date.now() + 500 * 24 * HOUR_MS });
    expect(spans(await buildReport(dir, { now: Date.now() }))).toEqual(spans(before));
  });

  it('scans instead when the index dir is not safe to use (group-writable)', async () => {
    run('index', '--dir', dir);
    const scan = report(dir, '--no-index');
    const segment = segments(dir, 'traces')[0]!;
    unlinkSync(join(dir, 'traces', segment)); // the index would still count it
    chmodSync(join(dir, 'index'), 0o770);
    try {
      const r = report(dir);
      expect(spans(r)).toEqual(spans(report(dir, '--no-index')));
      expect(spans(r).count).toBeLessThan(spans(scan).count);
    } finally {
      chmodSync(join(dir, 'index'), 0o700);
    }
    // Fixed: the index answers again, with the evicted segment rolled up.
    expect(spans(report(dir)).count).toBeGreaterThan(spans(report(dir, '--no-index')).count);
  });

  it('refuses a bad --rollup-retention', () => {
    const result = spawnSync(
      process.execPath,
      [SPOOL_BIN, 'index', '--dir', dir, '--rollup-retention', 'forever'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
  });
});
