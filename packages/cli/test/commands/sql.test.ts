import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';
import {
  appendLines,
  logsLine,
  segmentName,
  T0,
  tempSpool,
  tracesLine,
} from '../analysis/report-fixture.js';
import { run } from './capture.js';

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempSpool('spool-sql-'));
  appendLines(dir, 'traces', segmentName(), [
    tracesLine('app', [
      { name: 'load, "quoted"', startMs: T0, durationMs: 120, spanId: 'a1a1a1a1a1a1a1a1' },
      { name: 'process_block', startMs: T0 + 1000, durationMs: 2, spanId: 'b2b2b2b2b2b2b2b2' },
      { name: 'process_block', startMs: T0 + 2000, durationMs: 4, error: true },
    ]),
  ]);
  appendLines(dir, 'logs', segmentName(), [logsLine('app', [{ atMs: T0, body: 'timeout\nhere' }])]);
});
afterAll(() => cleanup());

const SELECT =
  'SELECT name, count(*) AS n, sum(status_code = 2) AS errors FROM spans GROUP BY name ORDER BY name';

describe('spool sql', () => {
  it('answers a SELECT as JSON, with nanosecond times exact', async () => {
    const r = await run(['sql', SELECT, '--dir', dir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: expect.any(Number),
      columns: ['name', 'n', 'errors'],
      rows: [
        { name: 'load, "quoted"', n: 1, errors: 0 },
        { name: 'process_block', n: 2, errors: 1 },
      ],
    });
    const t = await run([
      'sql',
      "SELECT start_ns, duration_ns FROM spans WHERE span_id = 'a1a1a1a1a1a1a1a1'",
      '--dir',
      dir,
      '--json',
    ]);
    expect(JSON.parse(t.stdout).rows).toEqual([
      { start_ns: (BigInt(T0) * 1_000_000n).toString(), duration_ns: 120_000_000 },
    ]);
  });

  it('answers a SELECT as CSV (RFC 4180)', async () => {
    const r = await run(['sql', SELECT, '--dir', dir, '--csv', '--no-update']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('name,n,errors\r\n"load, ""quoted""",1,0\r\nprocess_block,2,1\r\n');
    const logs = await run([
      'sql',
      'WITH l AS (SELECT body FROM logs) SELECT * FROM l',
      '--dir',
      dir,
      '--csv',
    ]);
    expect(logs.stdout).toBe('body\r\n"timeout\nhere"\r\n');
  });

  it('prints a table by default', async () => {
    const r = await run(['sql', SELECT, '--dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('process_block');
    expect(r.stdout).toContain('2 row(s)');
  });

  it.each([
    ['DELETE FROM spans'],
    ["INSERT INTO spans (trace_id) VALUES ('x')"],
    ['DROP TABLE spans'],
    ["ATTACH DATABASE '/tmp/x.sqlite' AS x"],
    ['SELECT 1; DELETE FROM spans'],
    ['SELECT 1; SELECT 2'],
    ['PRAGMA writable_schema = 1'],
    ['WITH x AS (SELECT 1) DELETE FROM spans'],
    ["SELECT * FROM pragma_table_info('meta')"],
    ["SELECT load_extension('/nonexistent')"],
  ])('refuses %s with exit 2 and leaves the index as it was', async (query) => {
    const r = await run(['sql', query, '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/read-only|one statement|SELECT/);
    const count = await run([
      'sql',
      'SELECT count(*) AS n FROM spans',
      '--dir',
      dir,
      '--json',
      '--no-update',
    ]);
    expect(JSON.parse(count.stdout).rows).toEqual([{ n: 3 }]);
  });

  it('reports a bad query as a usage error', async () => {
    const r = await run(['sql', 'SELECT nope FROM spans', '--dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such column: nope');
  });

  it('rebuilds a deleted index before answering', async () => {
    rmSync(join(dir, 'index'), { recursive: true });
    const r = await run([
      'sql',
      'SELECT count(*) AS n FROM spans',
      '--dir',
      dir,
      '--json',
      '--no-update',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rows).toEqual([{ n: 3 }]);
    expect(existsSync(indexDbPath(dir))).toBe(true);
  });

  it('spool index --json says what it added', async () => {
    rmSync(join(dir, 'index'), { recursive: true });
    const r = await run(['index', '--dir', dir, '--json']);
    expect(r.code).toBe(0);
    const { index } = JSON.parse(r.stdout);
    expect(index.rowsAdded).toEqual({
      spans: 3,
      span_events: 0,
      logs: 1,
      metric_points: 0,
      crashes: 0,
      sessions: 0,
    });
    expect(index.segmentsIndexed).toBe(2);
  });
});
