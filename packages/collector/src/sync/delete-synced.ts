import { rmSync } from 'node:fs';
import type { Signal } from '@otelspool/exporter-jsonl';
import {
  cursorKey,
  listCursors,
  liveSegmentPaths,
  scanSegments,
  shippedSegmentTest,
} from '@otelspool/exporter-jsonl/internal';
import { CursorStore } from '../cursors/cursor-store.js';

/**
 * Deletes sealed segments that every destination receiving their signal has acknowledged
 * to the end. Returns the deleted segments as `<signal>/<segment id>`.
 *
 * "Sealed" and "acknowledged to the end" are the spool writer's own definitions (the same
 * ones its byte cap uses to evict shipped data first), so the two can never disagree.
 */
export async function deleteSyncedSegments(dir: string): Promise<string[]> {
  if (listCursors(dir).length === 0) return [];
  const segments = scanSegments(dir);
  // This process writes no segments here: every live writer's active segment is kept.
  const live = liveSegmentPaths(segments, new Set(), '');
  const isShipped = shippedSegmentTest(dir);
  const deleted: string[] = [];
  const forgotten: { signal: Signal; segment: string }[] = [];
  for (const seg of segments) {
    if (live.has(seg.path) || !isShipped(seg)) continue;
    const signal = seg.signal as Signal;
    const segment = seg.name.replace(/\.gz$/, '');
    rmSync(seg.path, { force: true });
    deleted.push(cursorKey(signal, segment));
    forgotten.push({ signal, segment });
  }
  if (forgotten.length > 0) {
    for (const c of listCursors(dir)) new CursorStore(dir, c.destination).forget(forgotten);
  }
  return deleted;
}
