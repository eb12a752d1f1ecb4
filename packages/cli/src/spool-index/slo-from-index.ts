import type { SQLInputValue } from 'node:sqlite';
import { DDSketch } from '@datadog/sketches-js';
import { SKETCH_RELATIVE_ACCURACY } from '../analysis/latency-accumulator.js';
import type { SloFold, SloFoldOptions } from '../analysis/slo.js';
import { openIndexForSearch } from './search-open.js';

const UNKNOWN_SERVICE = 'unknown_service';

// The scan's arithmetic in SQL. The scan turns a time into Number(decimal ns) / 1e6 and a
// duration into Number(end − start in BigInt) / 1e6; SQLite converts the stored INTEGER to a
// double (round to nearest, as Number() of the exact decimal) and divides in IEEE double too, so
// the same ms values, minutes and hours come out (times are ≥ 0, so CAST truncation is floor).
const END_MS = 's.end_ns / 1e6';
const START_MS = 's.start_ns / 1e6';
const DURATION_MS = 's.duration_ns / 1e6';
const MINUTE = `CAST(${END_MS} / 60000 AS INTEGER)`;
const HOUR = `CAST(${END_MS} / 3600000 AS INTEGER)`;

/**
 * The per-minute counts and per-hour latency sketches of `spool slo` from the spool index, or
 * undefined when the scan must answer: no index, one that cannot be brought up to date, or a
 * matching span whose start or end the index stored as NULL (absent, but also a u64 beyond int64
 * the scan reads as a number: the index cannot tell them apart, so it does not guess).
 */
export async function sloFoldFromIndex(
  dir: string,
  options: SloFoldOptions,
): Promise<SloFold | undefined> {
  const db = await openIndexForSearch(dir, 'traces');
  if (db === undefined) return undefined;
  try {
    // One read transaction: the newest minute and the rows it windows are the same snapshot.
    db.exec('BEGIN');
    try {
      const where = [
        // Rows of segments the byte cap evicted may still be in the index; the scan cannot see them.
        "s.segment_id IN (SELECT id FROM segments WHERE signal = 'traces' AND gone = 0)",
      ];
      const params: SQLInputValue[] = [];
      if (options.service !== undefined) {
        where.push(
          `s.resource_id IN (SELECT id FROM resources WHERE coalesce(service, '${UNKNOWN_SERVICE}') = ?)`,
        );
        params.push(options.service);
      }
      if (options.spanName !== undefined) {
        where.push('s.name = ?');
        params.push(options.spanName);
      }
      // The scan's --since is on the start time (a span without one passes; those fall back).
      const sinceClause = options.sinceUnixMs !== undefined ? `${START_MS} >= ?` : '1';
      const sinceParams = options.sinceUnixMs !== undefined ? [options.sinceUnixMs] : [];

      const head = db
        .prepare(
          `SELECT max(CASE WHEN ${sinceClause} THEN s.end_ns END) / 1e6 AS newest_ms,
             coalesce(sum(s.start_ns IS NULL OR s.end_ns IS NULL), 0) AS unknown
           FROM spans s WHERE ${where.join(' AND ')}`,
        )
        .get(...sinceParams, ...params) as { newest_ms: number | null; unknown: number };
      if (Number(head.unknown) > 0) return undefined;

      const fold: SloFold = {
        minutes: new Map(),
        hours: new Map(),
        newestMinute: -Infinity,
        newestMs: -Infinity,
      };
      if (head.newest_ms === null) return fold;
      fold.newestMs = head.newest_ms;
      fold.newestMinute = Math.floor(head.newest_ms / 60_000);
      const oldestKept = fold.newestMinute - options.windowMinutes + 1;
      const oldestHour = Math.floor((oldestKept * 60_000) / 3_600_000);
      const live = [...where, sinceClause];
      const liveParams = [...params, ...sinceParams];

      const threshold = options.latencyP95Ms;
      const slow = threshold !== undefined ? `coalesce(sum(${DURATION_MS} > ?), 0)` : '0';
      const minuteRows = db
        .prepare(
          `SELECT ${MINUTE} AS minute, count(*) AS total,
             coalesce(sum(s.status_code = 2), 0) AS errors, ${slow} AS slow
           FROM spans s WHERE ${live.join(' AND ')} AND ${MINUTE} >= ?
           GROUP BY minute`,
        )
        .iterate(...(threshold !== undefined ? [threshold] : []), ...liveParams, oldestKept);
      for (const raw of minuteRows) {
        const row = raw as { minute: number; total: number; errors: number; slow: number };
        fold.minutes.set(Number(row.minute), {
          total: Number(row.total),
          errors: Number(row.errors),
          slow: Number(row.slow),
        });
      }

      // Durations stream out hour by hour (never all in memory); the hour holding the window's
      // first minute is taken whole, as the scan's sketches are.
      const durations = db
        .prepare(
          `SELECT ${HOUR} AS hour, ${DURATION_MS} AS ms FROM spans s
           WHERE ${live.join(' AND ')} AND s.duration_ns >= 0 AND ${HOUR} >= ?`,
        )
        .iterate(...liveParams, oldestHour);
      for (const raw of durations) {
        const row = raw as { hour: number; ms: number };
        const hour = Number(row.hour);
        let sketch = fold.hours.get(hour);
        if (!sketch) {
          sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
          fold.hours.set(hour, sketch);
        }
        sketch.accept(row.ms);
      }
      return fold;
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}
