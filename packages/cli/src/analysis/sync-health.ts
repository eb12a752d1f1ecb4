import { countRecords, type Signal, type SpoolRecord } from '@otelspool/exporter-jsonl';
import { cursorKey, listCursors } from '@otelspool/exporter-jsonl/internal';
import type { SyncDestinationHealth } from './types.js';

/** What sync health needs of a destination's cursor (`<dir>/sync/<destination>.json`). */
export interface SyncCursorState {
  destination: string;
  updatedAt: string;
  /** Signals the destination syncs; empty = all. */
  signals: Signal[];
  /** `<signal>/<segment>` → byte position after the last acknowledged line. */
  segments: Record<string, number>;
}

/**
 * One spool line as sync health sees it. The scan makes these from the lines it reads; the
 * index keeps them as a per-line table (signal, segment, position, records, earliest time),
 * because sync health depends on byte positions, which no time-bucketed partial can answer.
 */
export interface SpoolLineRow {
  signal: Signal;
  segment: string;
  /** The line's end position in its segment (the reader's `position`). */
  position: number;
  /** Spans, metric points and log records in the line. */
  records: number;
  /** Earliest item time in the line (ms), NaN when unknown. */
  earliestUnixMs: number;
}

interface Tally {
  cursor: SyncCursorState;
  synced: number;
  unsynced: number;
  syncedRecords: number;
  unsyncedRecords: number;
  oldest: number;
}

/**
 * Folds lines into per-destination progress: a line is synced when its own end position is at
 * or before the destination's cursor for its segment.
 */
export class SyncHealthFold {
  private readonly tallies: Tally[];

  constructor(cursors: readonly SyncCursorState[]) {
    this.tallies = cursors.map((cursor) => ({
      cursor,
      synced: 0,
      unsynced: 0,
      syncedRecords: 0,
      unsyncedRecords: 0,
      oldest: Infinity,
    }));
  }

  get active(): boolean {
    return this.tallies.length > 0;
  }

  /** Whether any destination looks at lines of this signal (so records must be counted). */
  wants(signal: Signal): boolean {
    return this.tallies.some(
      (t) => t.cursor.signals.length === 0 || t.cursor.signals.includes(signal),
    );
  }

  add(line: SpoolLineRow): void {
    for (const t of this.tallies) {
      if (t.cursor.signals.length > 0 && !t.cursor.signals.includes(line.signal)) continue;
      const acked = t.cursor.segments[cursorKey(line.signal, line.segment)] ?? -1;
      if (line.position <= acked) {
        t.synced++;
        t.syncedRecords += line.records;
      } else {
        t.unsynced++;
        t.unsyncedRecords += line.records;
        if (Number.isFinite(line.earliestUnixMs) && line.earliestUnixMs < t.oldest)
          t.oldest = line.earliestUnixMs;
      }
    }
  }

  result(): SyncDestinationHealth[] {
    return this.tallies.map((t) => ({
      destination: t.cursor.destination,
      updatedAt: t.cursor.updatedAt || null,
      syncedLines: t.synced,
      unsyncedLines: t.unsynced,
      syncedRecords: t.syncedRecords,
      unsyncedRecords: t.unsyncedRecords,
      oldestUnsyncedUnixMs: Number.isFinite(t.oldest) ? t.oldest : null,
    }));
  }
}

/** Sync health from stored line rows and the cursors: what the index path calls. */
export function syncHealthFromLines(
  lines: Iterable<SpoolLineRow>,
  cursors: readonly SyncCursorState[],
): SyncDestinationHealth[] {
  const fold = new SyncHealthFold(cursors);
  for (const line of lines) fold.add(line);
  return fold.result();
}

/**
 * Which spool lines each sync destination has acknowledged, during a scan. Cursors are read
 * through the layout's cursor reader, which already drops malformed cursor files.
 */
export class SyncHealthTracker {
  private readonly fold: SyncHealthFold;

  constructor(dir: string) {
    this.fold = new SyncHealthFold(listCursors(dir));
  }

  /** Whether any destination ever synced (else there is nothing to track). */
  get active(): boolean {
    return this.fold.active;
  }

  /** `lineTimeMs`: earliest item time in the line (NaN when unknown). */
  add(record: SpoolRecord, lineTimeMs: number): void {
    // Counting records walks the line: only when some destination looks at it.
    if (!this.fold.wants(record.signal)) return;
    this.fold.add({
      signal: record.signal,
      segment: record.segment,
      position: record.position,
      records: countRecords(record.signal, record.data),
      earliestUnixMs: lineTimeMs,
    });
  }

  result(): SyncDestinationHealth[] {
    return this.fold.result();
  }
}
