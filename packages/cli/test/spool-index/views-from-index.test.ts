// The dashboard's trace list and trace detail, and `spool incident`, answered from the spool
// index against the same views by scan, on real spools `spool demo` wrote (one run with a
// crash), and `spool crashes` on a spool of many reports: equal results, new lines found, a compressed segment scanned, and proof that the index
// is what answered (a doctored index changes the answer; the scan does not see the doctoring).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCrashReports } from '@otelspool/crash';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';
import { buildIncident } from '../../src/analysis/incident.js';
import { updateSpoolIndex } from '../../src/spool-index/index-spool.js';
import { listRecentTraces, readTrace } from '../../src/web/trace-index.js';
import { crashFilesOfSpool } from '../../src/spool-index/crash-facts.js';
import {
  appendLines,
  hex,
  segmentName,
  tracesLine,
  writeCrashReportFixture,
} from '../web/spool-fixture.js';
import { runSpool } from './built-cli.js';

let root = '';
let dir = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'views-from-index-'));
  dir = join(root, 'spool');
  runSpool('demo', '--dir', dir, '--duration', '1', '--json');
  runSpool('demo', '--dir', dir, '--duration', '1', '--crash', '--json');
  runSpool('index', '--dir', dir);
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const scan = { index: false } as const;

async function expectSameList(
  limit: number,
): Promise<Awaited<ReturnType<typeof listRecentTraces>>> {
  const byScan = await listRecentTraces(dir, limit, scan);
  expect(await listRecentTraces(dir, limit)).toEqual(byScan);
  return byScan;
}

function withIndex<T>(run: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(indexDbPath(dir));
  try {
    return run(db);
  } finally {
    db.close();
  }
}

describe('views from the index', () => {
  it('trace list: the scan’s traces, counts and order for every page size', async () => {
    for (const limit of [1, 7, 50, 500]) {
      const list = await expectSameList(limit);
      expect(list.length).toBe(Math.min(limit, list.length));
      expect(list.length).toBeGreaterThan(0);
    }
    const all = await expectSameList(500);
    expect(all.length).toBeGreaterThan(50); // two demo runs: the page of 50 is a real cut
    expect(all.some((t) => t.spanCount > 1)).toBe(true);
    expect(all.some((t) => t.errorCount > 0)).toBe(true);
  });

  it('trace detail: the scan’s waterfall for every trace, none for an unknown id', async () => {
    const all = await listRecentTraces(dir, 500, scan);
    for (const { traceId } of all) {
      const byScan = await readTrace(dir, traceId, scan);
      expect(byScan?.spans.length).toBeGreaterThan(0);
      expect(await readTrace(dir, traceId)).toEqual(byScan);
    }
    const unknown = hex(0xdead, 32);
    expect(await readTrace(dir, unknown)).toBeUndefined();
    expect(await readTrace(dir, unknown, scan)).toBeUndefined();
  }, 60_000);

  it('incident: the scan’s related spans and logs, totals and severity', async () => {
    const reports = listCrashReports(dir);
    expect(reports.length).toBe(1);
    const id = reports[0]!.signature.id;
    const byScan = await buildIncident(dir, id, scan);
    expect(byScan).toBeDefined();
    // The demo's crash is in a session with failed spans and an error log: something to relate.
    expect(byScan!.relatedTotals.spans + byScan!.relatedTotals.logs).toBeGreaterThan(0);
    expect(await buildIncident(dir, id)).toEqual(byScan);
  });

  it('the index answers: a doctored index changes the list and the detail, not the scan', async () => {
    const [newest] = await listRecentTraces(dir, 1, scan);
    const before = await readTrace(dir, newest!.traceId, scan);
    withIndex((db) => db.prepare('DELETE FROM spans WHERE trace_id = ?').run(newest!.traceId));
    try {
      const [first] = await listRecentTraces(dir, 1);
      expect(first!.traceId).not.toBe(newest!.traceId);
      expect(await readTrace(dir, newest!.traceId)).toBeUndefined();
      expect(await readTrace(dir, newest!.traceId, scan)).toEqual(before);
    } finally {
      await updateSpoolIndex(dir, { rebuild: true });
    }
    expect(await readTrace(dir, newest!.traceId)).toEqual(before);
  }, 60_000);

  it('finds lines written after the last index run (the view brings the index up to date)', async () => {
    const traceId = hex(0xfeed1, 32);
    const start = Date.now() + 3_600_000; // newer than every demo trace: it leads the list
    appendLines(dir, 'traces', segmentName(), [
      tracesLine([
        { traceId, spanId: hex(1, 16), name: 'late.root', startMs: start, durationMs: 9 },
        {
          traceId,
          spanId: hex(2, 16),
          parentSpanId: hex(1, 16),
          name: 'late.child',
          startMs: start + 1,
          durationMs: 3,
          error: true,
        },
      ]),
    ]);
    const list = await expectSameList(50);
    expect(list[0]).toMatchObject({ traceId, rootName: 'late.root', spanCount: 2, errorCount: 1 });
    const detail = await readTrace(dir, traceId);
    expect(detail?.spans.map((s) => [s.name, s.depth])).toEqual([
      ['late.root', 0],
      ['late.child', 1],
    ]);
    expect(detail).toEqual(await readTrace(dir, traceId, scan));
  }, 60_000);

  it('a compressed segment is scanned (positions in a .gz are not seekable): still the same', async () => {
    const traces = join(dir, 'traces');
    const plain = readdirSync(traces).filter((f) => f.endsWith('.jsonl'));
    expect(plain.length).toBeGreaterThan(0);
    for (const file of plain) execFileSync('gzip', [join(traces, file)]);
    const list = await expectSameList(50);
    for (const { traceId } of list.slice(0, 5)) {
      expect(await readTrace(dir, traceId)).toEqual(await readTrace(dir, traceId, scan));
    }
    const id = listCrashReports(dir)[0]!.signature.id;
    expect(await buildIncident(dir, id)).toEqual(await buildIncident(dir, id, scan));
  }, 60_000);
});

describe('spool crashes from the index', () => {
  let crashDir = '';
  const crashes = (...args: string[]): unknown =>
    JSON.parse(runSpool('crashes', '--dir', crashDir, '--json', ...args));
  const same = (): unknown => {
    const byScan = crashes('--no-index');
    expect(crashes()).toEqual(byScan);
    return byScan;
  };
  const file = (id: string): string =>
    crashFilesOfSpool(crashDir, { index: false }).find((f) => f.facts.id === id)!.file;

  beforeAll(() => {
    crashDir = join(root, 'crash-spool');
    // 40 reports: three hosts, two versions, times out of file-name order for some.
    for (let i = 0; i < 40; i++) {
      const minute = String(i % 7).padStart(2, '0');
      writeCrashReportFixture(crashDir, {
        id: hex(0xc0000 + i, 12),
        time: `2026-11-2${i % 3}T10:${minute}:00.000Z`,
        host: `studio-${i % 3}`,
        version: i < 20 ? '1.4.2' : '1.5.0',
      });
    }
    runSpool('index', '--dir', crashDir);
  }, 60_000);

  it('the same groups as reading every report', () => {
    const byScan = same() as { groups: Array<{ count: number; hosts: string[] }> };
    expect(byScan.groups).toHaveLength(1);
    expect(byScan.groups[0]!.count).toBe(40);
    expect(byScan.groups[0]!.hosts).toHaveLength(3);
  });

  it('answers from the index: doctored facts show, a rewritten file is read again', () => {
    type Groups = { groups: Array<{ message: string; reportIds: string[]; lastSeen: string }> };
    const [group] = (crashes('--no-index') as Groups).groups;
    const latest = group!.reportIds.at(-1)!; // its message is the group's
    const db = new DatabaseSync(indexDbPath(crashDir));
    try {
      db.prepare(
        `UPDATE crashes SET facts = json_set(facts, '$.message', 'doctored') WHERE id = ?`,
      ).run(latest);
    } finally {
      db.close();
    }
    const message = (...args: string[]): string => (crashes(...args) as Groups).groups[0]!.message;
    expect(message()).toBe('doctored');
    expect(message('--no-index')).toBe('preset bank is corrupt');
    // Rewritten (another size and mtime): read from the file again, whatever the index says.
    const before = file(latest);
    writeCrashReportFixture(crashDir, {
      id: latest,
      time: group!.lastSeen,
      host: 'studio-rewritten',
    });
    expect(file(latest)).toBe(before);
    expect(message()).toBe('preset bank is corrupt');
    same();
  });

  it('a report written after the index run counts; a deleted one does not', () => {
    writeCrashReportFixture(crashDir, { id: hex(0xc1000, 12), time: '2026-11-25T09:00:00.000Z' });
    unlinkSync(join(crashDir, 'crashes', file(hex(0xc0000, 12))));
    const byScan = same() as { groups: Array<{ count: number; lastSeen: string }> };
    expect(byScan.groups[0]!.count).toBe(40);
    expect(byScan.groups[0]!.lastSeen).toBe('2026-11-25T09:00:00.000Z');
    // An invalid file is reported (stderr) and skipped by both.
    writeFileSync(
      join(crashDir, 'crashes', 'crash_report_20261126T000000000Z_badbadbad000.json'),
      '{',
    );
    same();
  });
});

describe('trace list edge cases: index and scan agree', () => {
  let edgeDir = '';
  beforeAll(() => {
    edgeDir = mkdtempSync(join(tmpdir(), 'views-edge-'));
  });
  afterAll(() => rmSync(edgeDir, { recursive: true, force: true }));
  const same = async (limit: number) => {
    const byScan = await listRecentTraces(edgeDir, limit, scan);
    expect(await listRecentTraces(edgeDir, limit)).toEqual(byScan);
    return byScan;
  };

  it('breaks a tie on start the way the scan meets the traces (segment order, not index order)', async () => {
    const start = Date.parse('2026-11-30T10:00:00.000Z');
    const later = segmentName(new Date('2026-11-30T12:00:00.000Z'));
    const earlier = segmentName(new Date('2026-11-30T08:00:00.000Z')); // sorts first
    appendLines(edgeDir, 'traces', later, [
      tracesLine([
        { traceId: hex(0xb1, 32), spanId: hex(1, 16), name: 'y', startMs: start, durationMs: 1 },
      ]),
    ]);
    await updateSpoolIndex(edgeDir);
    // Indexed after `later`, yet read first by the scan: the scan meets this trace first.
    appendLines(edgeDir, 'traces', earlier, [
      tracesLine([
        { traceId: hex(0xa1, 32), spanId: hex(2, 16), name: 'x', startMs: start, durationMs: 1 },
      ]),
    ]);
    const [first] = await same(1);
    expect(first!.traceId).toBe(hex(0xa1, 32));
    await same(2);
  });

  it('a start beyond int64 (a -1 sentinel) counts as no start on both sides', async () => {
    const line = tracesLine([
      { traceId: hex(0xc1, 32), spanId: hex(3, 16), name: 'sentinel', startMs: 0, durationMs: 1 },
    ]);
    const span = line.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    span.startTimeUnixNano = '18446744073709551615';
    appendLines(edgeDir, 'traces', segmentName(), [line]);
    const list = await same(50);
    expect(list.map((t) => t.traceId)).toContain(hex(0xc1, 32));
    expect(list[0]!.traceId).not.toBe(hex(0xc1, 32));
  });

  it('a crash report whose signature version is not an integer does not break the index', async () => {
    writeCrashReportFixture(edgeDir, { id: hex(0xd1, 12), time: '2026-11-30T09:00:00.000Z' });
    const dirOfCrashes = join(edgeDir, 'crashes');
    const [name] = readdirSync(dirOfCrashes);
    const report = JSON.parse(readFileSync(join(dirOfCrashes, name!), 'utf8'));
    report.signature.version = 1.5;
    writeFileSync(join(dirOfCrashes, name!), JSON.stringify(report), { mode: 0o600 });
    const summary = await updateSpoolIndex(edgeDir);
    expect(summary.rowsAdded.crashes).toBe(1);
    const byScan = crashFilesOfSpool(edgeDir, { index: false });
    expect(crashFilesOfSpool(edgeDir)).toEqual(byScan);
    expect(byScan[0]!.facts.signatureVersion).toBe(1.5);
  });
});
