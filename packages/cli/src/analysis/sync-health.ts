import { countRecords, type Signal, type SpoolRecord } from '@otelspool/exporter-jsonl';
import { cursorKey, listCursors } from '@otelspool/exporter-jsonl/internal';
import type { SyncDestinationHealth } from './types.js';

interface Tracker {
  destination: string;
  updatedAt: string | null;
  signals: Signal[];
  segments: Record<string, number>;
  synced: number;
  unsynced: number;
  syncedRecords: number;
  unsyncedRecords: number;
  oldest: number;
}

/**
 * Which spool lines each sync destination has acknowledged. Cursors (`<dir>/sync/*.json`,
 * written by @otelspool/collector's sync) map `<signal>/<segment>` → byte position after the
 * last acknowledged line; a line is synced when its own end position is at or before that.
 * Read through the layout's cursor reader, which already drops malformed cursor files.
 */
export class SyncHealthTracker {
  private readonly trackers: Tracker[];

  constructor(dir: string) {
    this.trackers = listCursors(dir).map((c) => ({
      destination: c.destination,
      updatedAt: c.updatedAt || null,
      signals: c.signals,
      segments: c.segments,
      synced: 0,
      unsynced: 0,
      syncedRecords: 0,
      unsyncedRecords: 0,
      oldest: Infinity,
    }));
  }

  /** Whether any destination ever synced (else there is nothing to track). */
  get active(): boolean {
    return this.trackers.length > 0;
  }

  /** `lineTimeMs`: earliest item time in the line (NaN when unknown). */
  add(record: SpoolRecord, lineTimeMs: number): void {
    let records: number | undefined;
    for (const t of this.trackers) {
      if (t.signals.length > 0 && !t.signals.includes(record.signal)) continue;
      records ??= countRecords(record.signal, record.data);
      const acked = t.segments[cursorKey(record.signal, record.segment)] ?? -1;
      if (record.position <= acked) {
        t.synced++;
        t.syncedRecords += records;
      } else {
        t.unsynced++;
        t.unsyncedRecords += records;
        if (Number.isFinite(lineTimeMs) && lineTimeMs < t.oldest) t.oldest = lineTimeMs;
      }
    }
  }

  result(): SyncDestinationHealth[] {
    return this.trackers.map((t) => ({
      destination: t.destination,
      updatedAt: t.updatedAt,
      syncedLines: t.synced,
      unsyncedLines: t.unsynced,
      syncedRecords: t.syncedRecords,
      unsyncedRecords: t.unsyncedRecords,
      oldestUnsyncedUnixMs: Number.isFinite(t.oldest) ? t.oldest : null,
    }));
  }
}
