// Trace search from the spool index against the scan, on a spool the real `spool demo` wrote:
// the same total, hits and order for every query, before and after new lines are appended (the
// search brings the index up to date first), and the scan still used when there is no index.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';
import { updateSpoolIndex } from '../../src/spool-index/index-spool.js';
import { deleteSegmentRows } from '../../src/spool-index/rows.js';
import { searchSpansFromIndex } from '../../src/spool-index/search-spans.js';
import { parseSpanSearch, searchSpans, searchSpansByScan } from '../../src/web/trace-search.js';
import type { SpanSearch } from '../../src/web/span-search-model.js';
import {
  appendLines,
  hex,
  segmentName,
  tracesLine,
  type FixtureSpan,
} from '../web/spool-fixture.js';

const BIN = fileURLToPath(new URL('../../dist/bin/spool.js', import.meta.url));

let dir = '';

function runDemo(target: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'demo', '--dir', target], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.on('close', resolve);
  });
}

/** A query as /api/search parses it. */
const q = (params: Record<string, string | string[]>): SpanSearch => {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of Array.isArray(v) ? v : [v]) query.append(k, one);
  }
  return parseSpanSearch(query, Date.now());
};

const QUERIES: Array<Record<string, string | string[]>> = [
  {},
  { attr: 'plugin.name=hall-reverb', sort: 'duration', order: 'asc', limit: '20', offset: '5' },
  { attr: 'host.name=vm', name: 'LOAD' },
  { attr: ['audio.block.size=512', 'plugin.name=hall-reverb'], limit: '500' },
  { attr: 'preset.name=Big Hall', sort: 'duration' },
  { attr: 'plugin.name=no-such-plugin' },
  { error: 'true', limit: '100' },
  { name: 'process', minDuration: '1ms', order: 'asc' },
  { service: 'no-such-service' },
  // Times and durations in SQL (no name filter), and the same through the JS path (a name).
  {
    since: String(Date.now() - 3_600_000),
    until: String(Date.now() + 60_000),
    minDuration: '0.2ms',
    maxDuration: '50ms',
    sort: 'duration',
    offset: '30',
    limit: '40',
  },
  { name: 'plugin', maxDuration: '0.5ms', sort: 'duration', order: 'desc', limit: '100' },
  { until: String(Date.now() - 3_600_000) },
  // One span attribute, newest first: counted from span_attributes, the page walked off
  // spans_start (when the matches are many against the page).
  { attr: 'plugin.name=hall-reverb', limit: '3', offset: '7' },
  { attr: 'plugin.name=hall-reverb', limit: '1' },
  { attr: 'plugin.format=vst3', limit: '5' },
  { attr: 'plugin.name=hall-reverb', order: 'asc', limit: '3' },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'search-spans-'));
  expect(await runDemo(dir)).toBe(0);
  await updateSpoolIndex(dir);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function expectSame(search: SpanSearch): Promise<number> {
  const scan = await searchSpansByScan(dir, search);
  const index = await searchSpansFromIndex(dir, search);
  expect(index).toEqual(scan);
  return scan.total;
}

describe('trace search from the index', () => {
  it('gives the scan’s total, hits and order for every query on a demo spool', async () => {
    const totals: number[] = [];
    for (const params of QUERIES) totals.push(await expectSame(q(params)));
    // The queries are not all empty or all everything: the comparison means something.
    expect(totals[0]).toBeGreaterThan(1000);
    expect(totals[1]).toBeGreaterThan(0);
    expect(totals[1]).toBeLessThan(totals[0]!);
    expect(totals[2]).toBeGreaterThan(0);
    expect(totals[5]).toBe(0);
    expect(totals[8]).toBe(0);
    expect(totals[9]).toBeGreaterThan(70); // a page past offset 30 is not empty
    expect(totals[10]).toBeGreaterThan(0);
    expect(totals[11]).toBe(0);
  }, 60_000);

  it('finds lines appended after the last index run, span attribute before resource', async () => {
    const service = 'search-test-host';
    const segment = segmentName();
    const start = Date.now() + 3_600_000; // newest: they lead the default page
    appendLines(dir, 'traces', segment, [
      tracesLine(
        [
          {
            traceId: hex(0xabc1, 32),
            spanId: hex(1, 16),
            name: 'plugin.load',
            startMs: start,
            durationMs: 12,
            attributes: { 'plugin.name': 'hall-reverb', 'host.name': 'from-span' },
          },
          {
            traceId: hex(0xabc1, 32),
            spanId: hex(2, 16),
            parentSpanId: hex(1, 16),
            name: 'plugin.process',
            startMs: start + 1,
            durationMs: 3,
            error: true,
          },
          // A tie on start and duration, written in the reverse of id order: ties go by id.
          {
            traceId: hex(0xabc2, 32),
            spanId: hex(4, 16),
            name: 'tie',
            startMs: start - 9,
            durationMs: 2,
          },
          {
            traceId: hex(0xabc2, 32),
            spanId: hex(3, 16),
            name: 'tie',
            startMs: start - 9,
            durationMs: 2,
          },
        ],
        service,
        'vm',
      ),
    ]);
    const queries = [
      q({}),
      q({ attr: 'plugin.name=hall-reverb' }),
      // The first span's own host.name hides its resource's "vm"; the others have none.
      q({ attr: 'host.name=vm', service }),
      q({ attr: 'host.name=from-span' }),
      q({ service, error: 'true' }),
      q({ service }),
      q({ service, sort: 'duration', order: 'asc' }),
      q({ service, name: 'TIE', sort: 'duration' }),
    ];
    for (const search of queries) await expectSame(search);
    const vm = await searchSpansFromIndex(dir, queries[2]!);
    expect(vm?.hits.map((h) => h.spanId)).toEqual([hex(2, 16), hex(3, 16), hex(4, 16)]);
    const fromSpan = await searchSpansFromIndex(dir, queries[3]!);
    expect(fromSpan?.hits.map((h) => h.spanId)).toEqual([hex(1, 16)]);
    const newest = await searchSpans(dir, q({ limit: '2' }));
    expect(newest.hits.map((h) => h.service)).toEqual([service, service]);
    const ties = await searchSpansFromIndex(dir, q({ service, sort: 'duration', order: 'asc' }));
    expect(ties?.hits.slice(0, 2).map((h) => h.spanId)).toEqual([hex(3, 16), hex(4, 16)]);
  }, 60_000);

  it('pages matches that are many but old, and ties at the edge of the newest-first walk, as the scan', async () => {
    const own = mkdtempSync(join(tmpdir(), 'search-spans-walk-'));
    try {
      const t = Date.UTC(2026, 10, 24, 10);
      const spans: FixtureSpan[] = [];
      // 60 old spans with the attribute, then 3,000 newer without it (more than the walk passes
      // for a page of 1), the newest 2,100 of them all starting at one time (ties at the edge).
      for (let i = 0; i < 60; i++) {
        spans.push({
          traceId: hex(1 + i, 32),
          spanId: hex(1 + i, 16),
          name: 'old',
          startMs: t + i,
          durationMs: 1,
          attributes: { rare: 'yes' },
        });
      }
      for (let i = 0; i < 3000; i++) {
        spans.push({
          traceId: hex(10_000 + i, 32),
          spanId: hex(10_000 + i, 16),
          name: 'new',
          startMs: i < 900 ? t + 1000 + i : t + 5000,
          durationMs: 1,
          attributes: { common: i % 3 === 0 ? 'a' : 'b' },
        });
      }
      const lines = [];
      for (let i = 0; i < spans.length; i += 100) lines.push(tracesLine(spans.slice(i, i + 100)));
      appendLines(own, 'traces', segmentName(), lines);
      await updateSpoolIndex(own);
      const pages: Array<Record<string, string>> = [
        { attr: 'rare=yes', limit: '1' },
        { attr: 'rare=yes', limit: '2', offset: '1' },
        { attr: 'common=a', limit: '1' },
        { attr: 'common=a', limit: '5', offset: '695' },
        { attr: 'common=b', limit: '3' },
      ];
      for (const params of pages) {
        const search = q(params);
        const index = await searchSpansFromIndex(own, search);
        expect(index).toEqual(await searchSpansByScan(own, search));
      }
      const rare = await searchSpansFromIndex(own, q({ attr: 'rare=yes', limit: '1' }));
      expect(rare?.hits.map((h) => h.spanId)).toEqual([hex(60, 16)]);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }, 60_000);

  it('uses the index when there is one, the scan when there is none', async () => {
    const spoolWithout = mkdtempSync(join(tmpdir(), 'search-spans-none-'));
    try {
      appendLines(spoolWithout, 'traces', segmentName(), [
        tracesLine([
          { traceId: hex(7, 32), spanId: hex(7, 16), name: 'x', startMs: 1, durationMs: 1 },
        ]),
      ]);
      expect(await searchSpansFromIndex(spoolWithout, q({}))).toBeUndefined();
      expect((await searchSpans(spoolWithout, q({}))).total).toBe(1);
      expect(existsSync(indexDbPath(spoolWithout))).toBe(false);
    } finally {
      rmSync(spoolWithout, { recursive: true, force: true });
    }
    // With an index, its rows are what answers: a row removed from the index disappears.
    const db = new DatabaseSync(indexDbPath(dir));
    try {
      const where = `span_id = '${hex(1, 16)}'`;
      db.exec(`DELETE FROM span_attributes WHERE span IN (SELECT id FROM spans WHERE ${where})`);
      db.exec(`DELETE FROM spans WHERE ${where}`);
    } finally {
      db.close();
    }
    const found = await searchSpans(dir, q({ attr: 'host.name=from-span' }));
    expect(found.total).toBe(0);
  });

  it('deleteSegmentRows removes a segment’s spans, events, attribute rows and unused terms, nothing else', () => {
    const db = new DatabaseSync(indexDbPath(dir));
    try {
      const count = (sql: string, ...args: number[]): number =>
        Number((db.prepare(sql).get(...args) as { n: number }).n);
      const segment = Number(
        (
          db
            .prepare('SELECT segment_id FROM spans GROUP BY segment_id ORDER BY count(*) LIMIT 1')
            .get() as { segment_id: number }
        ).segment_id,
      );
      const before = count('SELECT count(*) AS n FROM spans');
      const mine = count('SELECT count(*) AS n FROM spans WHERE segment_id = ?', segment);
      const attrs = count('SELECT count(*) AS n FROM span_attributes');
      const mineAttrs = count(
        'SELECT count(*) AS n FROM span_attributes WHERE span IN (SELECT id FROM spans WHERE segment_id = ?)',
        segment,
      );
      // Terms only this segment's spans use, and terms others use too.
      const onlyMine = count(
        `SELECT count(DISTINCT term) AS n FROM span_attributes a
         WHERE a.span IN (SELECT id FROM spans WHERE segment_id = ?1)
           AND NOT EXISTS (SELECT 1 FROM span_attributes b WHERE b.term = a.term
             AND b.span NOT IN (SELECT id FROM spans WHERE segment_id = ?1))`,
        segment,
      );
      const terms = count('SELECT count(*) AS n FROM attribute_terms');
      // (The test above deleted rows by hand, which can leave a term unused.)
      const unused = (): number =>
        count(
          'SELECT count(*) AS n FROM attribute_terms WHERE id NOT IN (SELECT term FROM span_attributes)',
        );
      const unusedBefore = unused();
      expect(mine).toBeGreaterThan(0);
      db.exec('BEGIN');
      deleteSegmentRows(db, 'traces', segment);
      db.exec('COMMIT');
      expect(count('SELECT count(*) AS n FROM spans')).toBe(before - mine);
      expect(count('SELECT count(*) AS n FROM span_attributes')).toBe(attrs - mineAttrs);
      expect(count('SELECT count(*) AS n FROM span_events WHERE segment_id = ?', segment)).toBe(0);
      expect(
        count('SELECT count(*) AS n FROM span_attributes WHERE span NOT IN (SELECT id FROM spans)'),
      ).toBe(0);
      expect(count('SELECT count(*) AS n FROM attribute_terms')).toBe(terms - onlyMine);
      expect(unused()).toBe(unusedBefore);
    } finally {
      db.close();
    }
  });
});
