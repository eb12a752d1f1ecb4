import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';
import { ReportAccumulator } from '../../src/analysis/report-accumulator.js';
import { HOUR_MS } from '../../src/analysis/report-partitions.js';
import { pruneRollups } from '../../src/spool-index/aggregates.js';
import { indexLockPath } from '../../src/spool-index/index-lock.js';
import { openIndexForWrite } from '../../src/spool-index/index-spool.js';
import { reportJson as report, runSpool as run, spawnSpool as spawn } from './built-cli.js';

// What a user, a tool or a neighbour does to a spool and its index, on real `spool demo`
// spools read by the built CLI: the index answers as the scan does, or the scan answers.
const root = mkdtempSync(join(tmpdir(), 'otelspool-index-hardening-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function demoSpool(name: string): string {
  const dir = join(root, name);
  run('demo', '--dir', dir, '--duration', '1', '--crash', '--json');
  run('index', '--dir', dir);
  return dir;
}

function traceSegments(dir: string): string[] {
  return readdirSync(join(dir, 'traces'))
    .filter((n) => n.endsWith('.jsonl'))
    .sort();
}

function logLines(dir: string, ...args: string[]): string {
  return run('logs', '--dir', dir, '--json', ...args);
}

describe('the index against what happens to a spool', () => {
  it('re-reads a segment rewritten shorter in place (same inode)', () => {
    const dir = demoSpool('rewritten');
    const file = join(dir, 'traces', traceSegments(dir).at(-1)!);
    const lines = readFileSync(file, 'utf8').split('\n');
    // `cat kept > segment`: same file, fewer lines
    writeFileSync(file, lines.slice(0, Math.ceil(lines.length / 2)).join('\n') + '\n');
    expect(report(dir)).toEqual(report(dir, '--no-index'));
  });

  it('counts a segment moved away and back once, whether the index saw it gone or not', () => {
    const dir = demoSpool('returned');
    const name = traceSegments(dir)[0]!;
    const before = report(dir);
    renameSync(join(dir, 'traces', name), join(root, 'away.jsonl'));
    run('index', '--dir', dir); // seen gone: its items move to the rollups
    renameSync(join(root, 'away.jsonl'), join(dir, 'traces', name));
    const back = report(dir);
    expect(back).toEqual(before);
    expect(back).toEqual(report(dir, '--no-index'));
  });

  it('scans instead of trusting an index file that others can write', () => {
    const dir = demoSpool('writable');
    const scan = logLines(dir, '--grep', 'preset');
    // Plant: empty the logs the index knows, then make the file group-writable.
    const db = openIndexForWrite(dir);
    db.exec('DELETE FROM logs; DELETE FROM logs_fts;');
    db.close();
    chmodSync(indexDbPath(dir), 0o660);
    writeFileSync(indexLockPath(dir), `${process.pid} ${Date.now()}`); // no update either
    try {
      expect(logLines(dir, '--grep', 'preset')).toBe(scan);
    } finally {
      rmSync(indexLockPath(dir), { force: true });
    }
  });

  it('scans (and says so) when the index is damaged, and --rebuild repairs it', () => {
    const dir = demoSpool('damaged');
    const scan = report(dir, '--no-index');
    const path = indexDbPath(dir);
    truncateSync(path, Math.floor(readFileSync(path).length / 2));
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    const damaged = spawn('report', '--dir', dir, '--json');
    expect(damaged.status).toBe(0);
    expect(damaged.stderr).toMatch(/damaged.*--rebuild/s);
    const json = JSON.parse(damaged.stdout) as Record<string, unknown>;
    delete json.generatedAt;
    expect(json).toEqual(scan);
    run('index', '--dir', dir, '--rebuild');
    expect(report(dir)).toEqual(scan);
    const after = spawn('report', '--dir', dir, '--json');
    expect(after.stderr, after.stderr).not.toMatch(/index is damaged/);
  });

  it('takes over a lock whose pid was reused by a process that started later', () => {
    const dir = demoSpool('reused-pid');
    // pid 1 is alive, but it started long before this lock's (claimed) start time... the
    // other way round: a lock "taken" before pid 1 started cannot be pid 1's.
    writeFileSync(indexLockPath(dir), '1 1000');
    const result = spawn('index', '--dir', dir);
    expect(result.status, result.stderr).toBe(0);
  });
});

describe('rollup retention', () => {
  it('counts back from the newest hour the index holds, never from a clock ahead of it', () => {
    const dir = join(root, 'retention');
    const db = openIndexForWrite(dir);
    const state = JSON.stringify(new ReportAccumulator().toJSON());
    const insert = db.prepare(
      `INSERT INTO rollup_partials (service, version, host, bucket, state, first_seen)
       VALUES ('s', '', '', ?, ?, ?)`,
    );
    for (const [i, bucket] of [0, 100, 200].entries()) insert.run(bucket, state, i);
    const buckets = () =>
      (
        db.prepare('SELECT bucket FROM rollup_partials ORDER BY bucket').all() as {
          bucket: number;
        }[]
      ).map((r) => Number(r.bucket));
    // A clock behind the data deletes nothing it should not.
    expect(pruneRollups(db, 150 * HOUR_MS, 120 * HOUR_MS)).toBe(0);
    // A clock 10 years ahead: 150 h back from the newest bucket (200), not from the clock.
    expect(pruneRollups(db, 150 * HOUR_MS, 90_000 * HOUR_MS)).toBe(1);
    expect(buckets()).toEqual([100, 200]);
    db.close();
  });
});
