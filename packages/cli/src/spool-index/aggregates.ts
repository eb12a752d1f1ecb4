import type { DatabaseSync } from 'node:sqlite';
import { countRecords, type Signal, type SpoolRecord } from '@otelspool/exporter-jsonl';
import { earliestTimeMs } from '../analysis/build-report.js';
import { HOUR_MS, PartitionedReportAccumulator } from '../analysis/report-partitions.js';
import { ReportAccumulator } from '../analysis/report-accumulator.js';

/** Default `--rollup-retention`: rollups older than this are deleted on each update. */
export const DEFAULT_ROLLUP_RETENTION_MS = 400 * 24 * HOUR_MS;

const SEQ_KEY = 'metric_seq';

/** The read-order number of the last metric the index folded (meta `metric_seq`). */
export function storedMetricSeq(db: DatabaseSync): number {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(SEQ_KEY) as
    { value: string } | undefined;
  const n = row ? Number(row.value) : 0;
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/**
 * The aggregates of one chunk of one segment (the new lines one index run reads of it): its
 * report partials, line counts and per-line sync rows, written in the segment's transaction.
 */
export class ChunkAggregates {
  private readonly partitions: PartitionedReportAccumulator;
  private readonly lineRows: [number, number, number | null][] = [];
  malformed = 0;

  constructor(
    readonly signal: Signal,
    readonly segment: string,
    /** Where the chunk starts (the position the index had reached): keys its partials. */
    readonly chunk: number,
    seqStart: number,
  ) {
    this.partitions = new PartitionedReportAccumulator(seqStart);
  }

  add(record: SpoolRecord): void {
    this.partitions.addRecord(record);
    const t = earliestTimeMs(record);
    this.lineRows.push([
      record.position,
      countRecords(record.signal, record.data),
      Number.isFinite(t) ? t : null,
    ]);
  }

  /**
   * Writes everything (call inside the segment's transaction). `partials: false` for a segment
   * whose earlier partials are already merged into the rollups (it was gone and came back):
   * its items are counted there once, so only its line counts and line rows are written.
   */
  write(db: DatabaseSync, { partials = true }: { partials?: boolean } = {}): void {
    const insert = db.prepare(
      `INSERT OR REPLACE INTO report_partials
         (signal, segment, chunk, ordinal, service, version, host, bucket, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let ordinal = 0;
    for (const { key, state } of partials ? this.partitions.partials() : []) {
      insert.run(
        this.signal,
        this.segment,
        this.chunk,
        ordinal++,
        key.service,
        key.version,
        key.host,
        key.bucket,
        JSON.stringify(state.toJSON()),
      );
    }
    const line = db.prepare(
      'INSERT OR IGNORE INTO lines (signal, segment, position, records, earliest_ms) VALUES (?, ?, ?, ?, ?)',
    );
    for (const [position, records, earliest] of this.lineRows)
      line.run(this.signal, this.segment, position, records, earliest);
    const totals = this.partitions.totals;
    addSegmentTotals(
      db,
      this.signal,
      this.segment,
      totals.lines[this.signal],
      totals.recordsInSpool,
      this.malformed,
    );
    db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(
      SEQ_KEY,
      String(this.partitions.seq),
    );
  }
}

/** Adds to a segment's line counts (lines, records, malformed lines). */
export function addSegmentTotals(
  db: DatabaseSync,
  signal: Signal,
  segment: string,
  lines: number,
  records: number,
  malformed: number,
): void {
  db.prepare(
    `INSERT INTO segment_totals (signal, segment, lines, records, malformed) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (signal, segment) DO UPDATE SET lines = lines + excluded.lines,
       records = records + excluded.records, malformed = malformed + excluded.malformed`,
  ).run(signal, segment, lines, records, malformed);
}

/** Drops a segment's aggregates (its file was replaced: they no longer describe the spool). */
export function deleteSegmentAggregates(db: DatabaseSync, signal: Signal, segment: string): void {
  for (const table of ['report_partials', 'segment_totals', 'lines'])
    db.prepare(`DELETE FROM ${table} WHERE signal = ? AND segment = ?`).run(signal, segment);
}

/**
 * A segment whose file is gone (evicted by the byte cap, or deleted): its report partials are
 * merged into the rollups by (service, version, host, bucket), which outlive it, in the order
 * stored (scan order, for the caps); its per-segment partials, line counts and line rows go.
 * Call inside a transaction.
 */
export function rollUpSegment(db: DatabaseSync, signal: Signal, segment: string): void {
  const partials = db
    .prepare(
      `SELECT service, version, host, bucket, state FROM report_partials
       WHERE signal = ? AND segment = ? ORDER BY chunk, ordinal`,
    )
    .all(signal, segment) as unknown as PartialRow[];
  const find = db.prepare(
    `SELECT rowid AS id, state FROM rollup_partials
     WHERE service = ? AND version = ? AND host = ? AND ifnull(bucket, -1) = ifnull(?, -1)`,
  );
  const update = db.prepare('UPDATE rollup_partials SET state = ? WHERE rowid = ?');
  const insert = db.prepare(
    `INSERT INTO rollup_partials (service, version, host, bucket, state, first_seen)
     VALUES (?, ?, ?, ?, ?, (SELECT ifnull(max(first_seen), 0) + 1 FROM rollup_partials))`,
  );
  for (const p of partials) {
    const bucket = p.bucket === null ? null : Number(p.bucket);
    const existing = find.get(p.service, p.version, p.host, bucket) as
      { id: number; state: string } | undefined;
    if (existing) {
      const merged = ReportAccumulator.fromJSON(JSON.parse(existing.state));
      merged.merge(ReportAccumulator.fromJSON(JSON.parse(p.state)));
      update.run(JSON.stringify(merged.toJSON()), existing.id);
    } else {
      insert.run(p.service, p.version, p.host, bucket, p.state);
    }
  }
  deleteSegmentAggregates(db, signal, segment);
}

/** Deletes rollups whose hour bucket ended more than `retentionMs` before `now`. */
export function pruneRollups(db: DatabaseSync, retentionMs: number, now: number): number {
  // Counted back from the newest hour the index holds, never from a clock ahead of it: one run
  // with a clock jumped forward must not delete the whole history.
  const newest = db
    .prepare(
      `SELECT max(b) AS b FROM (SELECT max(bucket) AS b FROM rollup_partials
         UNION ALL SELECT max(bucket) FROM report_partials)`,
    )
    .get() as { b: number | bigint | null } | undefined;
  const newestMs =
    newest?.b === null || newest?.b === undefined ? now : (Number(newest.b) + 1) * HOUR_MS;
  const oldest = Math.floor((Math.min(now, newestMs) - retentionMs) / HOUR_MS);
  return Number(
    db.prepare('DELETE FROM rollup_partials WHERE bucket IS NOT NULL AND bucket < ?').run(oldest)
      .changes,
  );
}

export interface PartialRow {
  service: string;
  version: string;
  host: string;
  bucket: number | bigint | null;
  state: string;
}
