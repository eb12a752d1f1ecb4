// Log search from the spool index (FTS5 trigrams over bodies, then the engine on the lines it
// names) against the scan, on a spool the real `spool demo` wrote: the same entries, order and
// `matched`, before and after new lines are appended; queries the index cannot narrow scan.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpool } from '@otelspool/exporter-jsonl';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';
import { compileLogQuery, queryLogs, type LogQuery } from '../../src/logs/index.js';
import { updateSpoolIndex } from '../../src/spool-index/index-spool.js';
import { deleteSegmentRows } from '../../src/spool-index/rows.js';
import { queryLogsIndexed, requiredSubstrings } from '../../src/spool-index/search-logs.js';
import { appendLines, logsLine, segmentName } from '../web/spool-fixture.js';

const BIN = fileURLToPath(new URL('../../dist/bin/spool.js', import.meta.url));
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'search-logs-'));
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'demo', '--dir', dir], { stdio: 'ignore' });
    child.on('close', resolve);
  });
  expect(code).toBe(0);
  await updateSpoolIndex(dir);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function both(query: LogQuery) {
  const compiled = compileLogQuery(query);
  const scan = await queryLogs(compiled, readSpool(dir, { signals: ['logs'] }));
  const index = await queryLogsIndexed(dir, compiled);
  expect(index).toEqual(scan);
  return scan;
}

// Every demo run logs "session started" and "demo finished"; "preset could not be loaded" only
// when its random failure happens.
const QUERIES: LogQuery[] = [
  { grep: ['session started'] },
  { grep: ['demo', 'finished'], limit: 2 },
  { grep: ['preset'] },
  { grep: ['could not', 'loaded'], limit: 2 },
  { logql: '{level=~".+"} |= "preset" |~ "load(ed)?" != "xyz"' },
  { logql: '{level=~".+"} |= "session" |~ "st.rted"', minSeverity: 9 },
  { grep: ['no such text anywhere'] },
  { grep: ['Session started'] }, // case-sensitive, as the engine is
  { grep: ['de'] }, // too short for trigrams: the scan
  { regex: ['fin.shed'] }, // nothing the index narrows: the scan
];

describe('log search from the index', () => {
  it('names the body substrings it can use', () => {
    const q = compileLogQuery({ grep: ['ab', 'abc'], logql: '{a="b"} |= "xyz" != "qqq" |~ "r"' });
    expect(requiredSubstrings(q)).toEqual(['abc', 'xyz']);
  });

  it('gives the scan’s entries, order and matched for every query on a demo spool', async () => {
    const matched: number[] = [];
    for (const query of QUERIES) matched.push((await both(query)).matched);
    expect(matched[0]).toBeGreaterThan(0);
    expect(matched[1]).toBeGreaterThan(0);
    expect(matched[6]).toBe(0);
    expect(matched[7]).toBe(0);
    expect(matched[8]).toBeGreaterThan(0);
    expect(matched[9]).toBeGreaterThan(0);
  }, 60_000);

  it('pages a grep with a limit from the newest lines only, ties across lines in spool order', async () => {
    const own = mkdtempSync(join(tmpdir(), 'search-logs-page-'));
    try {
      const t = Date.UTC(2026, 10, 24, 10);
      const lines = [];
      // 40 lines of 5 records; every 'hit' body matches. The last two lines' records all share
      // one time (a tie across lines: spool order decides).
      for (let i = 0; i < 40; i++) {
        lines.push(
          logsLine(
            Array.from({ length: 5 }, (_, j) => ({
              timeMs: i === 39 || i === 38 ? t + 1000 : t + i * 10 + j,
              body: j % 2 === 0 ? `hit ${i}.${j}` : `miss ${i}.${j}`,
            })),
          ),
        );
      }
      appendLines(own, 'logs', segmentName(), lines);
      await updateSpoolIndex(own);
      const compare = async (query: LogQuery) => {
        const compiled = compileLogQuery(query);
        const scan = await queryLogs(compiled, readSpool(own, { signals: ['logs'] }));
        let read = 0;
        const index = await queryLogsIndexed(own, compiled, { onRecord: () => read++ });
        expect(index).toEqual(scan);
        return { scan, read };
      };
      const page = await compare({ grep: ['hit'], limit: 4 });
      expect(page.scan.matched).toBe(120);
      expect(page.scan.entries.map((e) => e.body)).toEqual([
        'hit 38.4',
        'hit 39.0',
        'hit 39.2',
        'hit 39.4',
      ]);
      expect(page.read).toBeLessThanOrEqual(3); // the newest lines, not all 40
      for (const limit of [0, 1, 3, 7, 119, 120, 500]) await compare({ grep: ['hit'], limit });
      await compare({ grep: ['hit', '39.'], limit: 2 });
      await compare({ grep: ['no such text'], limit: 5 });
      // A matching record without its own time (the engine then uses the observed time): every
      // candidate line is read, and the answer is still the scan's.
      const untimed = logsLine([{ timeMs: t, body: 'hit untimed' }]);
      const record = untimed.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]! as Record<
        string,
        unknown
      >;
      delete record.timeUnixNano;
      record.observedTimeUnixNano = `${BigInt(t + 5000) * 1_000_000n}`;
      appendLines(own, 'logs', segmentName(), [untimed]);
      const late = await compare({ grep: ['hit'], limit: 2 });
      expect(late.scan.entries.map((e) => e.body)).toContain('hit untimed');
      expect(late.read).toBeGreaterThan(40);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }, 60_000);

  it('finds lines appended since the last index run, ties in spool order', async () => {
    const segment = segmentName();
    const t = Date.now();
    appendLines(dir, 'logs', segment, [
      logsLine([
        { timeMs: t, body: 'preset appended one', severityNumber: 17 },
        { timeMs: t, body: 'preset appended two' }, // same time: spool order decides
      ]),
      logsLine([{ timeMs: t - 5, body: 'unrelated "quoted" text' }]),
    ]);
    const appended = await both({ grep: ['preset appended'] });
    expect(appended.entries.map((e) => e.body)).toEqual([
      'preset appended one',
      'preset appended two',
    ]);
    await both({ grep: ['"quoted"'] });
    // More lines in the same, already indexed segment: the index notices it is behind.
    appendLines(dir, 'logs', segment, [
      logsLine([{ timeMs: t + 1, body: 'preset appended three' }]),
    ]);
    const more = await both({ grep: ['preset appended'] });
    expect(more.matched).toBe(3);
    expect((await both({ grep: ['preset'], limit: 3 })).entries).toHaveLength(3);
  }, 60_000);

  it('answers from the index: rows deleted from it are not found', async () => {
    const compiled = compileLogQuery({ grep: ['preset appended'] });
    const db = new DatabaseSync(indexDbPath(dir));
    try {
      const segment = Number(
        (
          db.prepare("SELECT segment_id FROM logs WHERE body = 'preset appended one'").get() as {
            segment_id: number;
          }
        ).segment_id,
      );
      db.exec('BEGIN');
      deleteSegmentRows(db, 'logs', segment);
      db.exec('COMMIT');
      const left = db
        .prepare('SELECT count(*) AS n FROM logs WHERE segment_id = ?')
        .get(segment) as { n: number };
      expect(left.n).toBe(0);
    } finally {
      db.close();
    }
    expect((await queryLogsIndexed(dir, compiled)).matched).toBe(0);
    const scan = await queryLogs(compiled, readSpool(dir, { signals: ['logs'] }));
    expect(scan.matched).toBe(3);
  });
});
