import {
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  crashFacts,
  listCrashReportFiles,
  readCrashReportFile,
  readSessionLedger,
  type CrashReport,
} from '@otelspool/crash';
import {
  listSegments,
  readSpool,
  SIGNALS,
  type SegmentInfo,
  type ResumePoint,
  type Signal,
  type SpoolRecord,
} from '@otelspool/exporter-jsonl';
import {
  ensureSpoolDirSync,
  indexDbPath,
  OWNER_FILE_MODE,
  signalDir,
  SPOOL_FOLDERS,
} from '@otelspool/exporter-jsonl/internal';
import { crashFileIdentity } from './crash-facts.js';
import { acquireIndexLock } from './index-lock.js';
import { isCorruptIndexError } from './query.js';
import { deleteSegmentRows, emptyRowCounts, RowWriter, type RowCounts } from './rows.js';
import { AGGREGATE_DROP_SQL, AGGREGATE_SCHEMA_SQL } from './aggregate-schema.js';
import {
  addSegmentTotals,
  ChunkAggregates,
  DEFAULT_ROLLUP_RETENTION_MS,
  deleteSegmentAggregates,
  pruneRollups,
  rollUpSegment,
  storedMetricSeq,
} from './aggregates.js';
import { DROP_SQL, INDEX_SCHEMA_VERSION, MAX_SLOT, ROW_INDEXES_SQL, SCHEMA_SQL } from './schema.js';

// Both DDLs: the raw row tables (schema.ts) and the aggregates (aggregate-schema.ts).
const ALL_SCHEMA_SQL = SCHEMA_SQL + AGGREGATE_SCHEMA_SQL;
const ALL_DROP_SQL = DROP_SQL + '\n' + AGGREGATE_DROP_SQL;

/**
 * How long a second `spool index` waits for the first one's segment transaction (SQLite's
 * busy timeout). One transaction holds one segment's rows; a 64 MiB segment takes seconds.
 */
export const INDEX_BUSY_TIMEOUT_MS = 120_000;

/** What one `spool index` run did. */
export interface IndexRunSummary {
  /** The database file. */
  path: string;
  rebuilt: boolean;
  /** Segments that gave new rows this run. */
  segmentsIndexed: number;
  /** Segments known to the index whose files are gone (evicted by the byte cap, or deleted). */
  segmentsGone: number;
  /** Segment files in the spool now. */
  segmentsListed: number;
  rowsAdded: RowCounts & { crashes: number; sessions: number };
}

export interface UpdateIndexOptions {
  /** Drop everything and index the spool from scratch. */
  rebuild?: boolean;
  /** Rollups of hour buckets older than this (ms before now) are deleted; default 400 days. */
  rollupRetentionMs?: number;
  /** Clock for the rollup retention (ms). */
  now?: number;
  /**
   * How long to wait for another run's index lock before giving up with an error (default
   * INDEX_LOCK_WAIT_MS). Searches pass a short wait: the scan they fall back to gives the same
   * answer, and a dashboard request must not hang behind a long `spool index`.
   */
  lockWaitMs?: number;
  /**
   * Only update an index in place: when the run would have to build one from the start (none,
   * or one of another schema version), throw IndexBuildNeededError instead. Searches pass it: a
   * dashboard request should not start a build of the whole spool (the scan answers meanwhile).
   */
  updateOnly?: boolean;
}

/** updateSpoolIndex with `updateOnly` found no index it could update in place. */
export class IndexBuildNeededError extends Error {
  readonly code = 'EINDEXBUILDNEEDED';
}

/** meta key of the rollup retention last given to `spool index --rollup-retention` (ms). */
const RETENTION_KEY = 'rollup_retention_ms';

interface SegmentRow {
  id: number;
  slot: number | null;
  identity: string;
  position: number;
  line: number | null;
  compressed: number;
  complete: number;
  gone: number;
  rolled_up: number;
}

/** Creates `path` 0600 (exclusively: it must not exist), never through a symlink. */
function createOwnerFile(path: string, exclusive: boolean): void {
  // O_NOFOLLOW: a symlink planted in our index/ is not followed (ensureSpoolDirSync made the
  // dir ours, so only we can plant one; still, never write through a link).
  const fd = openSync(
    path,
    constants.O_RDWR |
      constants.O_CREAT |
      (exclusive ? constants.O_EXCL : 0) |
      (constants.O_NOFOLLOW ?? 0),
    OWNER_FILE_MODE,
  );
  closeSync(fd);
}

/** The schema version an index file was written with (undefined: none recorded). */
function storedSchemaVersion(db: DatabaseSync): string | undefined {
  const hasMeta = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'")
    .get();
  if (!hasMeta) return undefined;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
    { value: string } | undefined;
  return row?.value;
}

/**
 * Opens (creating when missing) the index database of a spool for writing: the `index/` dir
 * checked and created like every spool dir, the file created 0600 before SQLite opens it (SQLite
 * gives its -wal and -shm files the database file's mode), WAL so readers never block the
 * indexer. No DDL: openIndexForWrite and openExistingIndex decide by the stored version.
 */
function openWritable(spoolDir: string): DatabaseSync {
  const path = indexDbPath(spoolDir);
  ensureSpoolDirSync(spoolDir, SPOOL_FOLDERS.index);
  createOwnerFile(path, false);
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${INDEX_BUSY_TIMEOUT_MS}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    // 64 MiB of page cache (default 2 MiB): the trace-id and attribute B-trees take inserts at
    // random places. Pages are cached as touched, so an update with little new data stays small.
    db.exec('PRAGMA cache_size = -65536');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** The DDL (idempotent) and the version row, in one transaction. */
function ensureSchema(db: DatabaseSync, dropFirst: boolean): void {
  transaction(db, () => {
    if (dropFirst) db.exec(ALL_DROP_SQL);
    db.exec(ALL_SCHEMA_SQL + ROW_INDEXES_SQL);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(
      String(INDEX_SCHEMA_VERSION),
    );
  });
}

/**
 * The index database of a spool opened for writing (created when missing), with the schema in
 * place: an index of another schema version is emptied in place. (updateSpoolIndex rebuilds
 * such an index through the first-build path instead, which is much faster.)
 */
export function openIndexForWrite(spoolDir: string): DatabaseSync {
  const db = openWritable(spoolDir);
  try {
    // The version first: another version's tables may lack columns this DDL's indexes and
    // views name.
    const version = storedSchemaVersion(db);
    ensureSchema(db, version !== undefined && version !== String(INDEX_SCHEMA_VERSION));
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Where a first build writes, renamed over indexDbPath once complete. */
function buildPath(spoolDir: string): string {
  return `${indexDbPath(spoolDir)}.build`;
}

/**
 * A first build (no index yet, `--rebuild`, or another schema version) goes to a file of its
 * own, without the row tables' secondary indexes and without a durable journal: readers keep
 * seeing what was there before (no index, or the old one) until finishBuild renames it into
 * place complete, so a crash mid-build leaves only a file the next index run removes.
 */
function openIndexForBuild(spoolDir: string): DatabaseSync {
  ensureSpoolDirSync(spoolDir, SPOOL_FOLDERS.index);
  const path = buildPath(spoolDir);
  createOwnerFile(path, true);
  const db = new DatabaseSync(path);
  try {
    // MEMORY, not OFF: ROLLBACK still works (a failed segment transaction is undone as in the
    // normal path); nothing needs to survive a crash of this file.
    db.exec('PRAGMA journal_mode = MEMORY');
    db.exec('PRAGMA synchronous = OFF');
    db.exec('PRAGMA cache_size = -65536');
    transaction(db, () => {
      db.exec(ALL_SCHEMA_SQL);
      db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(
        String(INDEX_SCHEMA_VERSION),
      );
    });
  } catch (err) {
    db.close();
    rmSync(path, { force: true });
    throw err;
  }
  return db;
}

/**
 * Completes a first build: the secondary indexes created in one sort each, the file switched to
 * WAL and closed, flushed to disk, and renamed over the index path (after removing any old
 * index's -wal/-shm, which must never be applied to the new file). Readers open the new file
 * from then on; one that had the old file open keeps reading it until it closes.
 */
function finishBuild(db: DatabaseSync, spoolDir: string): void {
  try {
    transaction(db, () => db.exec(ROW_INDEXES_SQL));
    db.exec('PRAGMA journal_mode = WAL');
  } finally {
    db.close();
  }
  const from = buildPath(spoolDir);
  const fd = openSync(from, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  removeIndexFiles(spoolDir);
  renameSync(from, indexDbPath(spoolDir));
}

/** Deletes a build's files (under the index lock: no build is running). */
function removeBuildFiles(spoolDir: string): void {
  const path = buildPath(spoolDir);
  for (const file of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) {
    rmSync(file, { force: true });
  }
}

/** Deletes the database and its -wal/-shm (under the index lock; the dir was checked ours). */
function removeIndexFiles(spoolDir: string): void {
  const path = indexDbPath(spoolDir);
  for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
}

/** True when the spool has an index file (`spool sql --no-update` needs one). */
export function indexExists(spoolDir: string): boolean {
  return existsSync(indexDbPath(spoolDir));
}

/**
 * An existing index opened for an update, or undefined when the next run must build one from
 * the start (no index, or one of another schema version).
 */
function openExistingIndex(spoolDir: string): DatabaseSync | undefined {
  if (!indexExists(spoolDir)) return undefined;
  let db: DatabaseSync | undefined;
  try {
    db = openWritable(spoolDir);
    if (storedSchemaVersion(db) !== String(INDEX_SCHEMA_VERSION)) {
      db.close();
      return undefined;
    }
    ensureSchema(db, false);
    return db;
  } catch (err) {
    db?.close();
    if (!isCorruptIndexError(err)) throw err;
    throw new Error(
      `the spool index is damaged (${(err as Error).message}): run \`spool index --rebuild\` or delete ${indexDbPath(spoolDir)}; it is rebuilt from the spool`,
      { cause: err },
    );
  }
}

/**
 * Brings the index of `spoolDir` up to date with the spool: new segments and the new lines of
 * the active ones (from the position the index reached, through readSpool's `from`), crash
 * reports and sessions; segments whose files are gone are marked gone, their rows kept.
 *
 * Safe against a concurrent run and a crash: each segment's rows and its bookkeeping row are
 * written in one `BEGIN IMMEDIATE` transaction, and the position is re-read inside it, so a line
 * is indexed by exactly one run, exactly once. A first build writes a file of its own
 * (openIndexForBuild) that replaces the index only when complete.
 */
export async function updateSpoolIndex(
  spoolDir: string,
  options: UpdateIndexOptions = {},
): Promise<IndexRunSummary> {
  const lock = await acquireIndexLock(spoolDir, options.lockWaitMs);
  let db: DatabaseSync;
  let building = false;
  try {
    const existing = options.rebuild ? undefined : openExistingIndex(spoolDir);
    // Left by a build that was killed (a later update would never remove it otherwise).
    removeBuildFiles(spoolDir);
    if (existing !== undefined) {
      db = existing;
    } else if (options.updateOnly) {
      throw new IndexBuildNeededError(`no index of schema ${INDEX_SCHEMA_VERSION} to update`);
    } else {
      db = openIndexForBuild(spoolDir);
      building = true;
    }
  } catch (err) {
    lock.release();
    throw err;
  }
  let finished = false;
  let closed = false;
  try {
    const summary: IndexRunSummary = {
      path: indexDbPath(spoolDir),
      rebuilt: options.rebuild === true,
      segmentsIndexed: 0,
      segmentsGone: 0,
      segmentsListed: 0,
      rowsAdded: { ...emptyRowCounts(), crashes: 0, sessions: 0 },
    };
    const rows = new RowWriter(db);
    for (const signal of SIGNALS) await indexSignal(db, rows, spoolDir, signal, summary);
    indexCrashesAndSessions(db, spoolDir, summary);
    // The retention `spool index --rollup-retention` asked for is kept in the index, so a
    // later update by `spool report` (which has no such flag) keeps applying it.
    transaction(db, () => {
      if (options.rollupRetentionMs !== undefined) {
        db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(
          RETENTION_KEY,
          String(options.rollupRetentionMs),
        );
      }
      const stored = db.prepare('SELECT value FROM meta WHERE key = ?').get(RETENTION_KEY) as
        { value: string } | undefined;
      const ms = stored ? Number(stored.value) : NaN;
      const value = Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_ROLLUP_RETENTION_MS;
      pruneRollups(db, value, options.now ?? Date.now());
    });
    summary.segmentsGone = Number(
      (db.prepare('SELECT count(*) AS n FROM segments WHERE gone = 1').get() as { n: number }).n,
    );
    if (building) {
      closed = true; // finishBuild closes it
      finishBuild(db, spoolDir);
    }
    finished = true;
    return summary;
  } finally {
    if (!closed) db.close();
    if (building && !finished) removeBuildFiles(spoolDir);
    lock.release();
  }
}

async function indexSignal(
  db: DatabaseSync,
  rows: RowWriter,
  spoolDir: string,
  signal: Signal,
  summary: IndexRunSummary,
): Promise<void> {
  const listed = await listSegments(spoolDir, [signal]);
  summary.segmentsListed += listed.length;
  const getRow = db.prepare(
    `SELECT id, slot, identity, position, line, compressed, complete, gone, rolled_up
     FROM segments WHERE signal = ? AND segment = ?`,
  );
  const known = new Map<string, SegmentRow & { file: string }>();
  for (const r of db
    .prepare(
      `SELECT id, slot, segment, file, identity, position, line, compressed, complete, gone,
         rolled_up
       FROM segments WHERE signal = ?`,
    )
    .all(signal) as unknown as (SegmentRow & { segment: string; file: string })[]) {
    known.set(r.segment, r);
  }

  // Bookkeeping first: gone segments, replaced files, and a row for every listed segment, so
  // every later transaction only moves a position forward.
  const identities = new Map<string, string>();
  const from: Record<string, number> = {};
  const resume: Record<string, number | ResumePoint> = {};
  transaction(db, () => {
    const names = new Set(listed.map((s) => s.segment));
    const markGone = db.prepare(
      'UPDATE segments SET gone = 1, slot = NULL WHERE signal = ? AND segment = ? AND gone = 0',
    );
    for (const segment of known.keys()) {
      if (names.has(segment)) continue;
      // Not listed is not yet gone: the writer gzips a sealed segment by writing x.jsonl.gz and
      // then unlinking x.jsonl, so a listing can miss both names for an instant. Only a
      // segment with neither file is gone.
      if (segmentFileExists(spoolDir, signal, known.get(segment)?.file ?? '')) continue;
      // Gone: its raw rows go, its report partials become rollups that outlive it.
      if (Number(markGone.run(signal, segment).changes) > 0) {
        const slot = known.get(segment)!.slot;
        if (slot !== null) deleteSegmentRows(db, signal, Number(slot));
        rollUpSegment(db, signal, segment);
        db.prepare('UPDATE segments SET rolled_up = 1 WHERE signal = ? AND segment = ?').run(
          signal,
          segment,
        );
      }
    }
    for (const info of listed) {
      const fresh = getRow.get(signal, info.segment) as SegmentRow | undefined;
      const identity = fileIdentity(info, fresh);
      if (identity === undefined) continue; // vanished since the listing
      identities.set(info.segment, identity);
      const replaced =
        fresh !== undefined &&
        !info.compressed &&
        !fresh.compressed &&
        // Another file under the same name, or the same inode rewritten shorter than what was
        // indexed (`cat backup > segment`): either way its old rows no longer describe it.
        (fresh.identity !== identity || info.size < Number(fresh.position));
      // A segment marked gone that is back (moved away and restored): read again from its
      // start; its items are already in the rollups, so it gets rows and line counts only.
      const returned = fresh !== undefined && fresh.gone === 1;
      if (replaced || returned) {
        // (Our writer never replaces a segment; a user or a tool can.)
        if (fresh.slot !== null) deleteSegmentRows(db, signal, Number(fresh.slot));
        deleteSegmentAggregates(db, signal, info.segment);
        db.prepare(
          'UPDATE segments SET identity = ?, position = 0, line = 0, records = 0, complete = 0 WHERE signal = ? AND segment = ?',
        ).run(identity, signal, info.segment);
      }
      // A new segment, or one back after it was gone, takes a free slot.
      const slot = fresh?.slot ?? freeSlot(db);
      db.prepare(
        `INSERT INTO segments (signal, segment, file, identity, size, compressed, indexed_at, slot)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (signal, segment) DO UPDATE SET file = excluded.file, size = excluded.size,
           compressed = excluded.compressed, gone = 0, slot = excluded.slot,
           complete = CASE WHEN excluded.compressed = 0 THEN 0 ELSE complete END`,
      ).run(
        signal,
        info.segment,
        basename(info.file),
        identity,
        info.size,
        info.compressed ? 1 : 0,
        new Date().toISOString(),
        slot,
      );
      const row = getRow.get(signal, info.segment) as unknown as SegmentRow;
      // A compressed segment read to its end is final: skip all of it. (readSpool still scans
      // it for newlines; it parses nothing before `from`.)
      from[info.segment] = row.complete ? Number.MAX_SAFE_INTEGER : Number(row.position);
      // With the line count too, the reader starts at the position instead of reading the
      // segment from its start to number its lines: an up-to-date index reads nothing.
      resume[info.segment] =
        row.complete || Number(row.position) === 0 || row.line === null
          ? from[info.segment]!
          : { position: Number(row.position), line: Number(row.line) };
    }
  });

  // Positions after malformed entries: their line counts are not kept (an abandoned overlong
  // run ends at the read limit, not at a line's end), so the next run counts from the start.
  const malformedAt = new Map<string, number>();
  // Malformed lines not yet counted in a chunk: a line the reader skipped before the first
  // record of its segment (or after the last) is counted with the next chunk or at the end.
  const pendingMalformed = new Map<string, number>();
  let current:
    | {
        segment: string;
        threshold: number;
        skip: boolean;
        /** Its earlier items are in the rollups already (gone once, now back). */
        rolledUp: boolean;
        last: number;
        /** The line number of the record at `last`. */
        lastLine: number;
        lines: number;
        aggregates: ChunkAggregates;
      }
    | undefined;
  const commit = (): void => {
    if (!current) return;
    if (!current.skip) current.aggregates.write(db, { partials: !current.rolledUp });
    if (current.lines > 0 || (!current.skip && current.aggregates.malformed > 0)) {
      // Past the malformed lines counted in this chunk too, so a run killed before the final
      // position update does not count them again.
      const malformed =
        current.aggregates.malformed > 0 ? malformedAt.get(current.segment) : undefined;
      const end =
        malformed !== undefined && malformed > current.last
          ? { position: malformed, line: null }
          : { position: current.last, line: current.lastLine };
      // SET reads the row as it was: the line goes with the position only when that moves on.
      db.prepare(
        `UPDATE segments SET line = CASE WHEN ? > position THEN ? ELSE line END,
           position = max(position, ?), records = records + ?, indexed_at = ?
         WHERE signal = ? AND segment = ?`,
      ).run(
        end.position,
        end.line,
        end.position,
        current.lines,
        new Date().toISOString(),
        signal,
        current.segment,
      );
      if (current.lines > 0) summary.segmentsIndexed++;
    }
    db.exec('COMMIT');
    current = undefined;
  };
  try {
    for await (const record of readSpool(spoolDir, {
      signals: [signal],
      from: resume,
      onMalformed: (entry) => {
        // Counted as the scan counts them (a line, not a torn tail or an unreadable file),
        // once: only lines past the position the index had reached.
        if (entry.line !== undefined && (entry.position ?? Infinity) > (from[entry.segment] ?? 0)) {
          if (current?.segment === entry.segment && !current.skip) current.aggregates.malformed++;
          else pendingMalformed.set(entry.segment, (pendingMalformed.get(entry.segment) ?? 0) + 1);
        }
        if (entry.position !== undefined) {
          malformedAt.set(
            entry.segment,
            Math.max(malformedAt.get(entry.segment) ?? 0, entry.position),
          );
        }
      },
    }) as AsyncGenerator<SpoolRecord>) {
      if (current?.segment !== record.segment) {
        commit();
        db.exec('BEGIN IMMEDIATE');
        // Re-read under the write lock: a concurrent run may have indexed part of this
        // segment since our snapshot, or the file may have been replaced meanwhile.
        const fresh = getRow.get(signal, record.segment) as SegmentRow | undefined;
        const threshold = Math.max(from[record.segment] ?? 0, fresh?.position ?? 0);
        current = {
          segment: record.segment,
          threshold,
          skip: fresh === undefined || fresh.identity !== identities.get(record.segment),
          rolledUp: fresh?.rolled_up === 1,
          last: 0,
          lastLine: 0,
          lines: 0,
          aggregates: new ChunkAggregates(signal, record.segment, threshold, storedMetricSeq(db)),
        };
        if (!current.skip) rows.beginSegment(Number(fresh!.id), Number(fresh!.slot));
        const pending = pendingMalformed.get(record.segment);
        if (pending !== undefined && !current.skip) {
          current.aggregates.malformed += pending;
          pendingMalformed.delete(record.segment);
        }
      }
      if (current.skip || record.position <= current.threshold) continue;
      rows.write(record, summary.rowsAdded);
      current.aggregates.add(record);
      current.last = record.position;
      current.lastLine = record.line;
      current.lines++;
    }
    commit();
  } catch (err) {
    rollback(db);
    throw err;
  }

  // Lines past the last record that the reader quarantined, and compressed segments now read
  // to their end: both move the position only forward, so a racing run cannot undo them.
  transaction(db, () => {
    for (const [segment, count] of pendingMalformed) {
      if (identities.has(segment)) addSegmentTotals(db, signal, segment, 0, 0, count);
    }
    for (const [segment, position] of malformedAt) {
      db.prepare(
        `UPDATE segments SET line = CASE WHEN ? > position THEN NULL ELSE line END,
           position = max(position, ?) WHERE signal = ? AND segment = ?`,
      ).run(position, position, signal, segment);
    }
    for (const info of listed) {
      if (info.compressed && identities.has(info.segment)) {
        db.prepare(
          'UPDATE segments SET complete = 1 WHERE signal = ? AND segment = ? AND compressed = 1',
        ).run(signal, info.segment);
      }
    }
  });
}

/**
 * A slot no present segment holds (segmentRowRange): the next above the highest in use, else
 * the lowest gap (slots of gone segments are freed).
 */
function freeSlot(db: DatabaseSync): number {
  const top = Number(
    (db.prepare('SELECT coalesce(max(slot), 0) AS s FROM segments').get() as { s: number }).s,
  );
  if (top < MAX_SLOT) return top + 1;
  const gap = db
    .prepare(
      `SELECT 1 AS s WHERE NOT EXISTS (SELECT 1 FROM segments WHERE slot = 1)
       UNION ALL
       SELECT a.slot + 1 FROM segments a WHERE a.slot IS NOT NULL AND a.slot < ?
         AND NOT EXISTS (SELECT 1 FROM segments b WHERE b.slot = a.slot + 1)
       LIMIT 1`,
    )
    .get(MAX_SLOT) as { s: number } | undefined;
  if (gap === undefined) {
    throw new Error(
      `the spool has more than ${MAX_SLOT} segments at once: the index cannot hold them`,
    );
  }
  return Number(gap.s);
}

/**
 * The identity of a segment's file: `dev:ino` of the plain file. A `.gz` is the same segment
 * (positions are in decompressed bytes, the same in both): it keeps the identity the plain file
 * had; a segment first seen compressed gets the `.gz` file's own.
 */
/**
 * Whether a segment's file exists now under the name the index last saw, or as its gzip (the
 * writer's compression turns `x.jsonl` into `x.jsonl.gz`).
 */
function segmentFileExists(spoolDir: string, signal: Signal, file: string): boolean {
  for (const name of file.endsWith('.gz') ? [file] : [file, `${file}.gz`]) {
    try {
      lstatSync(join(signalDir(spoolDir, signal), name));
      return true;
    } catch {
      // ENOENT (or unreadable): try the other name
    }
  }
  return false;
}

function fileIdentity(info: SegmentInfo, known: SegmentRow | undefined): string | undefined {
  if (info.compressed && known) return known.identity;
  try {
    const st = lstatSync(info.file);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Crash reports and sessions are small and keyed by id: upserted every run, never deleted, so
 * the index keeps them after the ledger's tail window or a byte cap has dropped the files.
 */
function indexCrashesAndSessions(
  db: DatabaseSync,
  spoolDir: string,
  summary: IndexRunSummary,
): void {
  // Only the report files not read yet, or changed since (crashFileIdentity): a spool with
  // thousands of reports does not re-read them all on every update.
  const known = new Map(
    (
      db.prepare('SELECT file, identity FROM crashes').all() as Array<{
        file: string;
        identity: string;
      }>
    ).map((r) => [r.file, r.identity]),
  );
  const fresh: Array<{ file: string; identity: string; report: CrashReport }> = [];
  for (const file of listCrashReportFiles(spoolDir)) {
    const identity = crashFileIdentity(spoolDir, file);
    if (identity === undefined || known.get(file) === identity) continue;
    const report = readCrashReportFile(spoolDir, file);
    if (report !== undefined) fresh.push({ file, identity, report });
  }
  const ledger = readSessionLedger(spoolDir);
  transaction(db, () => {
    const crash = db.prepare(
      `INSERT INTO crashes (file, identity, id, time, type, message, signature, signature_version,
         origin, top_frame, service, version, host, session_id, install_id, trace_id, facts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (file) DO UPDATE SET identity = excluded.identity, id = excluded.id,
         time = excluded.time, type = excluded.type, message = excluded.message,
         signature = excluded.signature, signature_version = excluded.signature_version,
         origin = excluded.origin, top_frame = excluded.top_frame, service = excluded.service,
         version = excluded.version, host = excluded.host, session_id = excluded.session_id,
         install_id = excluded.install_id, trace_id = excluded.trace_id, facts = excluded.facts`,
    );
    for (const { file, identity, report: r } of fresh) {
      const text = (key: string): string | null => {
        const v = r.resource[key];
        return v === undefined ? null : String(v);
      };
      const facts = crashFacts(r);
      crash.run(
        file,
        identity,
        r.id,
        r.time,
        r.error.type,
        r.error.message,
        r.signature.id,
        // The validator takes any finite number; the column is INTEGER (STRICT).
        Number.isSafeInteger(r.signature.version) ? r.signature.version : null,
        r.origin,
        facts.topFrame ?? null,
        text('service.name'),
        text('service.version'),
        text('host.name'),
        r.session.id,
        r.session.installId,
        r.trace?.traceId ?? null,
        JSON.stringify(facts),
      );
      if (!known.has(file)) summary.rowsAdded.crashes++;
    }
    const session = db.prepare(
      `INSERT INTO sessions (id, previous_id, install_id, state, pid, started_at, ended_at,
         exit_code, signal, crash_report_id, launch_completed, service, version, host, os_type,
         os_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, ended_at = excluded.ended_at,
         exit_code = excluded.exit_code, signal = excluded.signal,
         crash_report_id = excluded.crash_report_id, launch_completed = excluded.launch_completed`,
    );
    const before = (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
    for (const s of ledger.sessions) {
      session.run(
        s.id,
        s.previousId ?? null,
        s.installId,
        s.state,
        s.pid,
        s.startedAt,
        s.endedAt ?? null,
        s.exitCode ?? null,
        s.signal ?? null,
        s.crashReportId ?? null,
        s.launchCompleted === undefined ? null : s.launchCompleted ? 1 : 0,
        s.serviceName,
        s.serviceVersion ?? null,
        s.hostName,
        s.os.type,
        s.os.version,
      );
    }
    const after = (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
    summary.rowsAdded.sessions += Number(after) - Number(before);
  });
}

/** Runs `body` in one `BEGIN IMMEDIATE` transaction (the write lock up front: no upgrade deadlock). */
export function transaction(db: DatabaseSync, body: () => void): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    body();
    db.exec('COMMIT');
  } catch (err) {
    rollback(db);
    throw err;
  }
}

/** ROLLBACK when a transaction is open (SQLite may have rolled back already on some errors). */
function rollback(db: DatabaseSync): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    // no transaction was active
  }
}
