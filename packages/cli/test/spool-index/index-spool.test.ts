import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { listCrashReports, readSessionLedger } from '@otelspool/crash';
import {
  forEachDataPoint,
  forEachLogRecord,
  forEachSpan,
  readSpool,
  type LogsData,
  type MetricsData,
  type TracesData,
} from '@otelspool/exporter-jsonl';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';
import { indexLockPath } from '../../src/spool-index/index-lock.js';
import { buildReport } from '../../src/analysis/build-report.js';
import {
  IndexBuildNeededError,
  openIndexForWrite,
  updateSpoolIndex,
} from '../../src/spool-index/index-spool.js';
import { MAX_SLOT } from '../../src/spool-index/schema.js';
import {
  appendLines,
  logsLine,
  metricsLine,
  segmentName,
  T0,
  tempSpool,
  tracesLine,
  writeLedger,
} from '../analysis/report-fixture.js';
import { writeDemoSpool } from '../web/demo-spool.js';

const BIN = fileURLToPath(new URL('../../dist/bin/spool.js', import.meta.url));

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function spool(): string {
  const { dir, cleanup } = tempSpool('spool-index-');
  cleanups.push(cleanup);
  return dir;
}

/** Rows per table counted by the reader and the walkers: what the index must hold. */
async function scanCounts(dir: string) {
  const counts = { spans: 0, span_events: 0, logs: 0, metric_points: 0 };
  for await (const record of readSpool(dir, { quarantine: false })) {
    if (record.signal === 'traces') {
      forEachSpan(record.data as TracesData, (span) => {
        counts.spans++;
        counts.span_events += span.events?.length ?? 0;
      });
    } else if (record.signal === 'logs') {
      forEachLogRecord(record.data as LogsData, () => counts.logs++);
    } else {
      forEachDataPoint(record.data as MetricsData, () => counts.metric_points++);
    }
  }
  return counts;
}

function withDb<T>(dir: string, body: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(indexDbPath(dir), { readOnly: true });
  try {
    return body(db);
  } finally {
    db.close();
  }
}

function withWritableDb(dir: string, body: (db: DatabaseSync) => void): void {
  const db = new DatabaseSync(indexDbPath(dir));
  try {
    body(db);
  } finally {
    db.close();
  }
}

function indexCounts(dir: string) {
  return withDb(dir, (db) => {
    const n = (table: string): number =>
      Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    return {
      spans: n('spans'),
      span_events: n('span_events'),
      logs: n('logs'),
      metric_points: n('metric_points'),
    };
  });
}

const span = (name: string, startMs: number, extra: Record<string, unknown> = {}) => ({
  name,
  startMs,
  durationMs: 5,
  ...extra,
});

describe('spool index', () => {
  it('holds exactly what a full scan of a demo spool with a crash reads', async () => {
    const dir = spool();
    const demo = await writeDemoSpool(dir);
    writeLedger(dir, [
      { id: 'sess-1', installId: 'inst-1', startedMs: T0, state: 'exited' },
      { id: 'sess-2', installId: 'inst-1', startedMs: T0 + 1000, state: 'crashed' },
    ]);
    const summary = await updateSpoolIndex(dir);
    const scan = await scanCounts(dir);
    expect(indexCounts(dir)).toEqual(scan);
    const ledger = readSessionLedger(dir).sessions;
    expect(ledger.length).toBeGreaterThanOrEqual(2); // ours, and the crashed demo host's own
    expect(summary.rowsAdded).toEqual({
      ...scan,
      crashes: demo.crashCount,
      sessions: ledger.length,
    });
    expect(statSync(indexDbPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'index')).mode & 0o777).toBe(0o700);

    // A few exact rows: the slow failing span, the crash, a session.
    let expected: { start: bigint; end: bigint; name: string | undefined } | undefined;
    for await (const record of readSpool(dir, { signals: ['traces'] })) {
      forEachSpan(record.data as TracesData, (s) => {
        if (s.spanId === demo.slowError.spanId) {
          expected = {
            start: BigInt(s.startTimeUnixNano ?? '0'),
            end: BigInt(s.endTimeUnixNano ?? '0'),
            name: s.name,
          };
        }
      });
    }
    const row = withDb(dir, (db) => {
      const stmt = db.prepare(
        `SELECT trace_id, name, r.service, status_code, start_ns, duration_ns,
           s.attributes ->> '$."preset.bank"' AS bank
         FROM spans s JOIN resources r ON r.id = s.resource_id WHERE span_id = ?`,
      );
      stmt.setReadBigInts(true);
      return stmt.get(demo.slowError.spanId);
    });
    expect(row).toEqual({
      trace_id: demo.slowError.traceId,
      name: expected?.name,
      service: 'demo-plugin-host',
      status_code: 2n,
      start_ns: expected?.start,
      duration_ns: (expected?.end ?? 0n) - (expected?.start ?? 0n),
      bank: 'Broken Bank',
    });
    const [report] = listCrashReports(dir);
    const crash = withDb(dir, (db) =>
      db.prepare('SELECT id, type, message, signature, host FROM crashes').all(),
    );
    expect(crash).toEqual([
      {
        id: report?.id,
        type: report?.error.type,
        message: demo.crashMessage,
        signature: report?.signature.id,
        host: report?.resource['host.name'],
      },
    ]);
    const sessions = withDb(dir, (db) =>
      db
        .prepare("SELECT id, state, install_id FROM sessions WHERE id LIKE 'sess-%' ORDER BY id")
        .all(),
    );
    expect(sessions).toEqual([
      { id: 'sess-1', state: 'exited', install_id: 'inst-1' },
      { id: 'sess-2', state: 'crashed', install_id: 'inst-1' },
    ]);

    // Up to date: a second run adds nothing.
    const again = await updateSpoolIndex(dir);
    expect(again.segmentsIndexed).toBe(0);
    expect(again.rowsAdded).toEqual({
      spans: 0,
      span_events: 0,
      logs: 0,
      metric_points: 0,
      crashes: 0,
      sessions: 0,
    });
    expect(indexCounts(dir)).toEqual(scan);
  });

  it('continues the active segment where it stopped and picks up new segments', async () => {
    const dir = spool();
    const active = segmentName();
    appendLines(dir, 'traces', active, [
      tracesLine('app', [
        span('a', T0, { events: [{ name: 'click', atMs: T0 }] }),
        span('b', T0 + 1),
      ]),
    ]);
    appendLines(dir, 'logs', segmentName(), [logsLine('app', [{ atMs: T0, body: 'hello' }])]);
    await updateSpoolIndex(dir);
    expect(indexCounts(dir)).toEqual({ spans: 2, span_events: 1, logs: 1, metric_points: 0 });

    // More lines into the same active segment, a torn (unterminated) tail, and a rotation.
    appendLines(dir, 'traces', active, [tracesLine('app', [span('c', T0 + 2)])]);
    const torn = JSON.stringify(tracesLine('app', [span('torn', T0 + 3)]));
    writeFileSync(join(dir, 'traces', active), torn.slice(0, 40), { flag: 'a' });
    appendLines(dir, 'traces', segmentName(), [tracesLine('app', [span('d', T0 + 4)])]);
    appendLines(dir, 'metrics', segmentName(), [
      metricsLine('app', [{ kind: 'gauge', name: 'cpu', points: [{ atMs: T0, value: 0.5 }] }]),
    ]);
    const second = await updateSpoolIndex(dir);
    expect(second.rowsAdded.spans).toBe(2);
    expect(indexCounts(dir)).toEqual({ spans: 4, span_events: 1, logs: 1, metric_points: 1 });

    // The torn line completed: indexed once, nothing before it twice.
    writeFileSync(join(dir, 'traces', active), torn.slice(40) + '\n', { flag: 'a' });
    await updateSpoolIndex(dir);
    const scan = await scanCounts(dir);
    expect(scan.spans).toBe(5);
    expect(indexCounts(dir)).toEqual(scan);
    const names = withDb(dir, (db) =>
      (db.prepare('SELECT name FROM spans ORDER BY name').all() as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    expect(names).toEqual(['a', 'b', 'c', 'd', 'torn']);
  });

  it('drops the raw rows of an evicted segment, rolls up its partials and marks it gone', async () => {
    const dir = spool();
    const old = segmentName();
    appendLines(dir, 'traces', old, [tracesLine('app', [span('old', T0)])]);
    appendLines(dir, 'traces', segmentName(), [tracesLine('app', [span('new', T0 + 1)])]);
    await updateSpoolIndex(dir);
    unlinkSync(join(dir, 'traces', old)); // what the byte cap does
    const after = await updateSpoolIndex(dir);
    expect(after.segmentsGone).toBe(1);
    expect(indexCounts(dir).spans).toBe(1);
    const aggregates = withDb(dir, (db) => ({
      partials: db.prepare('SELECT count(*) AS n FROM report_partials WHERE segment = ?').get(old),
      lines: db.prepare('SELECT count(*) AS n FROM lines WHERE segment = ?').get(old),
      rollups: db.prepare("SELECT count(*) AS n FROM rollup_partials WHERE service = 'app'").get(),
    }));
    expect(aggregates).toEqual({ partials: { n: 0 }, lines: { n: 0 }, rollups: { n: 1 } });
    const gone = withDb(dir, (db) =>
      db
        .prepare('SELECT segment, gone FROM segments WHERE signal = ? ORDER BY segment')
        .all('traces'),
    );
    expect(gone).toEqual([
      { segment: old, gone: 1 },
      { segment: expect.any(String), gone: 0 },
    ]);
    expect((await updateSpoolIndex(dir)).segmentsGone).toBe(1);
  });

  it('gives the slot of an evicted segment to a later one, and finds a free slot past the last', async () => {
    const dir = spool();
    const first = segmentName();
    appendLines(dir, 'traces', first, [tracesLine('app', [span('first', T0)])]);
    await updateSpoolIndex(dir);
    const slotOf = (segment: string): number | null =>
      withDb(dir, (db) => {
        const row = db.prepare('SELECT slot FROM segments WHERE segment = ?').get(segment) as {
          slot: number | null;
        };
        return row.slot === null ? null : Number(row.slot);
      });
    const firstSlot = slotOf(first);
    expect(firstSlot).not.toBeNull();
    unlinkSync(join(dir, 'traces', first)); // evicted
    const second = segmentName();
    appendLines(dir, 'traces', second, [tracesLine('app', [span('second', T0 + 1)])]);
    await updateSpoolIndex(dir);
    expect(slotOf(first)).toBeNull();
    expect(slotOf(second)).toBe(firstSlot); // its rows were deleted with it: the range is free
    const names = () =>
      withDb(dir, (db) =>
        (db.prepare('SELECT name FROM spans ORDER BY name').all() as { name: string }[]).map(
          (r) => r.name,
        ),
      );
    expect(names()).toEqual(['second']);
    // The highest slot taken (as after 2^21 - 1 segments): the next segment takes a gap.
    withWritableDb(dir, (db) => {
      const shift = 2 ** 32;
      db.prepare('UPDATE spans SET id = id - ? * ? + ? * ?').run(firstSlot, shift, MAX_SLOT, shift);
      db.prepare('UPDATE segments SET slot = ? WHERE segment = ?').run(MAX_SLOT, second);
    });
    const third = segmentName();
    appendLines(dir, 'traces', third, [tracesLine('app', [span('third', T0 + 2)])]);
    await updateSpoolIndex(dir);
    expect(slotOf(third)).toBe(1);
    expect(names()).toEqual(['second', 'third']);
    // And the segment at the top slot is still deleted by its own range.
    unlinkSync(join(dir, 'traces', second));
    await updateSpoolIndex(dir);
    expect(names()).toEqual(['third']);
  });

  it('an update-only run never starts a build, and any run removes a killed build’s file', async () => {
    const dir = spool();
    appendLines(dir, 'traces', segmentName(), [tracesLine('app', [span('a', T0)])]);
    await expect(updateSpoolIndex(dir, { updateOnly: true })).rejects.toBeInstanceOf(
      IndexBuildNeededError,
    );
    expect(existsSync(indexDbPath(dir))).toBe(false);
    await updateSpoolIndex(dir);
    writeFileSync(`${indexDbPath(dir)}.build`, 'left by a killed --rebuild');
    appendLines(dir, 'traces', segmentName(), [tracesLine('app', [span('b', T0)])]);
    expect((await updateSpoolIndex(dir, { updateOnly: true })).rowsAdded.spans).toBe(1);
    expect(existsSync(`${indexDbPath(dir)}.build`)).toBe(false);
    withWritableDb(dir, (db) =>
      db.exec("UPDATE meta SET value = '1' WHERE key = 'schema_version'"),
    );
    await expect(updateSpoolIndex(dir, { updateOnly: true })).rejects.toBeInstanceOf(
      IndexBuildNeededError,
    );
  });

  it('does not index a compressed segment again', async () => {
    const dir = spool();
    const name = segmentName();
    const file = appendLines(dir, 'traces', name, [
      tracesLine('app', [span('a', T0)]),
      tracesLine('app', [span('b', T0 + 1)]),
    ]);
    await updateSpoolIndex(dir);
    // What the writer's compression does: <segment>.gz written, the plain file removed.
    writeFileSync(`${file}.gz`, gzipSync(readFileSync(file)), { mode: 0o600 });
    unlinkSync(file);
    const second = await updateSpoolIndex(dir);
    expect(second.rowsAdded.spans).toBe(0);
    expect(indexCounts(dir).spans).toBe(2);
    const row = withDb(dir, (db) =>
      db.prepare('SELECT file, compressed, complete, gone FROM segments').get(),
    );
    expect(row).toEqual({ file: `${name}.gz`, compressed: 1, complete: 1, gone: 0 });
    expect((await updateSpoolIndex(dir)).rowsAdded.spans).toBe(0);
  });

  it('gives exact counts when two `spool index` processes run at once', async () => {
    const dir = spool();
    // Enough segments that both runs are inside the segment loop at the same time (each
    // segment is one transaction; both runs want every segment).
    for (let s = 0; s < 20; s++) {
      const lines = [];
      for (let l = 0; l < 150; l++) {
        lines.push(tracesLine('app', [span(`s${s}`, T0 + l), span(`t${s}`, T0 + l + 1)]));
      }
      appendLines(dir, 'traces', segmentName(), lines);
    }
    const runIndex = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'index', '--dir', dir, '--json'], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([runIndex(), runIndex()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const added = [a, b].map(
      (r) =>
        (JSON.parse(r.out) as { index: { rowsAdded: { spans: number } } }).index.rowsAdded.spans,
    );
    expect(added[0]! + added[1]!).toBe(6000);
    expect(indexCounts(dir).spans).toBe(6000);
    // The aggregates were written with the rows: the report from them is the scan's.
    const { spans: fromIndex, input } = await buildReport(dir);
    expect(fromIndex.overall.count).toBe(6000);
    expect(input.lines.traces).toBe(3000);
    expect(await buildReport(dir, { now: 0 })).toEqual(
      await buildReport(dir, { index: false, now: 0 }),
    );
  });

  it('a second indexer waits while another holds the index lock, then indexes everything', async () => {
    const dir = spool();
    for (let s = 0; s < 5; s++) {
      appendLines(dir, 'traces', segmentName(), [tracesLine('app', [span(`s${s}`, T0 + s)])]);
    }
    // This test process plays the lock holder: its pid is alive for the child.
    mkdirSync(join(dir, 'index'), { recursive: true, mode: 0o700 });
    writeFileSync(indexLockPath(dir), `${process.pid} ${Date.now()}`, { mode: 0o600 });
    const child = spawn(process.execPath, [BIN, 'index', '--dir', dir, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // While the lock is held the child has not even created the database.
    expect(existsSync(indexDbPath(dir))).toBe(false);
    unlinkSync(indexLockPath(dir));
    expect(await closed).toBe(0);
    expect(
      (JSON.parse(out) as { index: { rowsAdded: { spans: number } } }).index.rowsAdded.spans,
    ).toBe(5);
    expect(indexCounts(dir).spans).toBe(5);
    expect(existsSync(indexLockPath(dir))).toBe(false);
  });

  it('takes over a lock whose owner is dead, and serialises runs inside one process', async () => {
    const dir = spool();
    for (let s = 0; s < 4; s++) {
      appendLines(dir, 'traces', segmentName(), [tracesLine('app', [span(`s${s}`, T0 + s)])]);
    }
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('close', resolve));
    mkdirSync(join(dir, 'index'), { recursive: true, mode: 0o700 });
    writeFileSync(indexLockPath(dir), `${dead.pid} ${Date.now()}`, { mode: 0o600 });
    const [a, b] = await Promise.all([updateSpoolIndex(dir), updateSpoolIndex(dir)]);
    expect(a.rowsAdded.spans + b.rowsAdded.spans).toBe(4);
    expect(indexCounts(dir).spans).toBe(4);
    expect(existsSync(indexLockPath(dir))).toBe(false);
  });

  it('rebuilds from scratch with --rebuild and after the index dir is deleted', async () => {
    const dir = spool();
    appendLines(dir, 'traces', segmentName(), [tracesLine('app', [span('a', T0)])]);
    await updateSpoolIndex(dir);
    const rebuilt = await updateSpoolIndex(dir, { rebuild: true });
    expect(rebuilt.rowsAdded.spans).toBe(1);
    expect(indexCounts(dir).spans).toBe(1);
    rmSync(join(dir, 'index'), { recursive: true });
    expect((await updateSpoolIndex(dir)).rowsAdded.spans).toBe(1);
    expect(readdirSync(join(dir, 'index'))).toContain('spool.sqlite');
  });

  it('a first build has the schema an update keeps, and leaves no build file behind', async () => {
    const dir = spool();
    appendLines(dir, 'traces', segmentName(), [tracesLine('app', [span('a', T0)])]);
    await updateSpoolIndex(dir); // first build: rows first, secondary indexes at the end
    const schemaOf = (path: string): unknown[] => {
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        return db
          .prepare(
            "SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
          )
          .all();
      } finally {
        db.close();
      }
    };
    const built = schemaOf(indexDbPath(dir));
    expect(built).toContainEqual({ type: 'index', name: 'spans_trace', tbl_name: 'spans' });
    expect(readdirSync(join(dir, 'index')).filter((f) => f.includes('.build'))).toEqual([]);
    // The same schema as an index updated in place (openIndexForWrite's DDL).
    const other = spool();
    appendLines(other, 'traces', segmentName(), [tracesLine('app', [span('b', T0)])]);
    await updateSpoolIndex(other);
    openIndexForWrite(other).close();
    expect(schemaOf(indexDbPath(other))).toEqual(built);
    expect(statSync(indexDbPath(dir)).mode & 0o777).toBe(0o600);
  });

  it('rebuilds an index of another schema version, and a build killed midway is started over', async () => {
    const dir = spool();
    appendLines(dir, 'traces', segmentName(), [tracesLine('app', [span('a', T0), span('b', T0)])]);
    await updateSpoolIndex(dir);
    const db = new DatabaseSync(indexDbPath(dir));
    db.exec("UPDATE meta SET value = '1' WHERE key = 'schema_version'; DELETE FROM spans");
    db.close();
    // A killed build leaves its file; one planted as a symlink is removed, never followed.
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep');
    symlinkSync(victim, `${indexDbPath(dir)}.build`);
    const run = await updateSpoolIndex(dir);
    expect(run.rowsAdded.spans).toBe(2);
    expect(indexCounts(dir).spans).toBe(2);
    expect(readFileSync(victim, 'utf8')).toBe('keep');
    expect(existsSync(`${indexDbPath(dir)}.build`)).toBe(false);
  });
});
