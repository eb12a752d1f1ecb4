import { listSegments, readSpool, SIGNALS, type Signal } from '@otelspool/exporter-jsonl';
import { listCursors } from '@otelspool/exporter-jsonl/internal';
import { reportContext, resolveFilter } from '../analysis/build-report.js';
import { ReportAccumulator } from '../analysis/report-accumulator.js';
import {
  addBucketItems,
  boundaryBucket,
  mergePartials,
  type ReportPartial,
} from '../analysis/report-partitions.js';
import { syncHealthFromLines, type SpoolLineRow } from '../analysis/sync-health.js';
import type { Report, ReportOptions } from '../analysis/types.js';
import type { PartialRow } from './aggregates.js';
import { INDEX_BUSY_TIMEOUT_MS, updateSpoolIndex } from './index-spool.js';
import { openIndexReadOnly, UntrustedIndexError } from './open-read-only.js';
import { isCorruptIndexError } from './query.js';

/**
 * `spool report` from the index: brings it up to date (under the index lock), then merges the
 * stored partials instead of re-reading the spool. Same result as the scan over what the spool
 * holds, plus the rollups of evicted segments (spans, latency, events, series of the whole
 * history; line counts and `health.recordsInSpool` stay what the spool holds now).
 *
 * Order matters past the caps (span names, services): rollups first (older data, in the order
 * they were first rolled up), then partials in scan order (signals as readSpool visits them,
 * segments by name, chunks by position, partials in first-seen order).
 *
 * undefined when the index cannot be brought up to date by this user (see INDEX_UNUSABLE):
 * the caller scans instead.
 */
export async function buildReportFromIndex(
  spoolDir: string,
  options: ReportOptions = {},
): Promise<Report | undefined> {
  const { filter, filters } = resolveFilter(options);
  try {
    await updateSpoolIndex(spoolDir, {
      lockWaitMs: REPORT_LOCK_WAIT_MS,
      ...(options.now !== undefined ? { now: options.now } : {}),
    });
  } catch (err) {
    // Someone else's spool, read-only: we may read it but not update its index, and a stale
    // index would give another report than the scan. Another user's index dir: not ours to
    // trust. Either way the caller scans.
    if (INDEX_UNUSABLE.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    // Busy for long (a big first `spool index`) or damaged: the scan answers now, and says so
    // (it cannot include the rollups of evicted segments).
    if ((err as NodeJS.ErrnoException).code === 'EINDEXLOCKED' || isCorruptIndexError(err)) {
      process.stderr.write(
        `spool: ${(err as Error).message}; scanned the spool instead (history the byte cap evicted is not included)\n`,
      );
      return undefined;
    }
    throw err;
  }
  let db;
  try {
    db = openIndexReadOnly(spoolDir);
  } catch (err) {
    if (err instanceof UntrustedIndexError) return undefined;
    throw err;
  }
  let acc: ReportAccumulator;
  let boundarySegments: { signal: Signal; segment: string }[] = [];
  let lines: SpoolLineRow[] = [];
  const cursors = listCursors(spoolDir);
  try {
    db.exec(`PRAGMA busy_timeout = ${INDEX_BUSY_TIMEOUT_MS}`);
    // One read transaction: every table seen at the same moment.
    db.exec('BEGIN');
    const totals = new ReportAccumulator();
    for (const row of db
      .prepare(
        `SELECT t.signal, sum(t.lines) AS lines, sum(t.records) AS records,
           sum(t.malformed) AS malformed
         FROM segment_totals t JOIN segments s USING (signal, segment)
         WHERE s.gone = 0 GROUP BY t.signal`,
      )
      .all() as { signal: Signal; lines: number; records: number; malformed: number }[]) {
      if (!SIGNALS.includes(row.signal)) continue;
      totals.lines[row.signal] += Number(row.lines);
      totals.recordsInSpool += Number(row.records);
      totals.malformedLines += Number(row.malformed);
    }
    const serviceClause = filter.service !== undefined ? 'AND p.service = ?' : '';
    const serviceArgs = filter.service !== undefined ? [filter.service] : [];
    const rollups = db
      .prepare(
        `SELECT service, version, host, bucket, state FROM rollup_partials p
         WHERE 1 = 1 ${serviceClause} ORDER BY first_seen`,
      )
      .iterate(...serviceArgs) as IterableIterator<PartialRow>;
    const stored = db
      .prepare(
        `SELECT p.service, p.version, p.host, p.bucket, p.state FROM report_partials p
         JOIN segments s USING (signal, segment)
         WHERE s.gone = 0 ${serviceClause}
         ORDER BY CASE p.signal ${SIGNALS.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END,
           p.segment, p.chunk, p.ordinal`,
      )
      .iterate(...serviceArgs) as IterableIterator<PartialRow>;
    acc = mergePartials(
      (function* () {
        yield* parsed(rollups);
        yield* parsed(stored);
      })(),
      totals,
      filter,
    );
    const boundary = boundaryBucket(filter.sinceUnixMs);
    if (boundary !== null) {
      boundarySegments = db
        .prepare(
          `SELECT DISTINCT p.signal, p.segment FROM report_partials p
           JOIN segments s USING (signal, segment) WHERE s.gone = 0 AND p.bucket = ?`,
        )
        .all(boundary) as unknown as { signal: Signal; segment: string }[];
    }
    if (cursors.length > 0) {
      lines = (
        db
          .prepare(
            `SELECT l.signal, l.segment, l.position, l.records, l.earliest_ms FROM lines l
             JOIN segments s USING (signal, segment) WHERE s.gone = 0`,
          )
          .all() as {
          signal: Signal;
          segment: string;
          position: number;
          records: number;
          earliest_ms: number | null;
        }[]
      ).map((r) => ({
        signal: r.signal,
        segment: r.segment,
        position: Number(r.position),
        records: Number(r.records),
        earliestUnixMs: r.earliest_ms ?? NaN,
      }));
    }
    db.exec('COMMIT');
  } finally {
    db.close();
  }

  const boundary = boundaryBucket(filter.sinceUnixMs);
  if (boundary !== null && boundarySegments.length > 0) {
    // The `--since` cut-off falls inside an hour: that hour is re-folded from the raw lines of
    // the segments holding items of it (readSpool skips the others through `from`).
    for (const signal of SIGNALS) {
      const wanted = new Set(
        boundarySegments.filter((s) => s.signal === signal).map((s) => s.segment),
      );
      if (wanted.size === 0) continue;
      const from = await skipAllBut(spoolDir, signal, wanted);
      for await (const record of readSpool(spoolDir, {
        signals: [signal],
        from,
        quarantine: false,
      }))
        if (wanted.has(record.segment)) addBucketItems(acc, record, boundary);
    }
  }
  const sync = syncHealthFromLines(lines, cursors);
  return acc.finish(await reportContext(spoolDir, filter, filters, options, sync));
}

/** How long a report waits for another index run before it scans instead. */
const REPORT_LOCK_WAIT_MS = 10_000;

/** Errors of updating the index that mean "scan instead" (not writable by us, not ours). */
const INDEX_UNUSABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'EUNSAFEDIR']);

function* parsed(rows: IterableIterator<PartialRow>): Generator<ReportPartial> {
  for (const row of rows) {
    yield {
      key: {
        service: row.service,
        version: row.version,
        host: row.host,
        bucket: row.bucket === null ? null : Number(row.bucket),
      },
      state: ReportAccumulator.fromJSON(JSON.parse(row.state)),
    };
  }
}

/** A `from` map that has readSpool skip every segment of `signal` but the wanted ones. */
async function skipAllBut(
  spoolDir: string,
  signal: Signal,
  wanted: ReadonlySet<string>,
): Promise<Record<string, number>> {
  const from: Record<string, number> = {};
  for (const info of await listSegments(spoolDir, [signal]))
    if (!wanted.has(info.segment)) from[info.segment] = Number.MAX_SAFE_INTEGER;
  return from;
}
