import { readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CursorStore, cursorKey, listCursors } from '../cursors/cursor-store.js';
import type { Signal } from '../otlp/types.js';
import { listSegments, type SegmentInfo } from '../spool/spool-api.js';

const NAME = /^(\d{8}T\d{9}Z)_(\d+)_([0-9a-f]{4})_(\d+)$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sealed = no writer will append to it again: compressed, or a later segment of the same
 * writer exists (rotated), or its writer process is gone.
 */
function sealedSegments(segments: SegmentInfo[]): SegmentInfo[] {
  const latestSeq = new Map<string, number>();
  for (const s of segments) {
    const m = NAME.exec(s.segment.replace(/\.jsonl$/, ''));
    if (!m) continue;
    const writer = `${s.signal}/${m[2]}_${m[3]}`;
    latestSeq.set(writer, Math.max(latestSeq.get(writer) ?? -1, Number(m[4])));
  }
  return segments.filter((s) => {
    if (s.compressed) return true;
    const m = NAME.exec(s.segment.replace(/\.jsonl$/, ''));
    if (!m) return false;
    if (Number(m[4]) < (latestSeq.get(`${s.signal}/${m[2]}_${m[3]}`) ?? -1)) return true;
    const pid = Number(m[2]);
    return pid !== process.pid && !isAlive(pid);
  });
}

function logicalSize(s: SegmentInfo): number {
  if (!s.compressed) return s.size;
  try {
    return gunzipSync(readFileSync(s.file)).length;
  } catch {
    return Number.POSITIVE_INFINITY; // unreadable: never counts as fully acknowledged
  }
}

/**
 * Deletes sealed segments that every destination receiving their signal has acknowledged
 * to the end. Returns the deleted segments as `<signal>/<segment id>`.
 */
export async function deleteSyncedSegments(dir: string): Promise<string[]> {
  const cursors = listCursors(dir);
  if (cursors.length === 0) return [];
  const deleted: string[] = [];
  const forgotten: { signal: Signal; segment: string }[] = [];
  for (const seg of sealedSegments(await listSegments(dir))) {
    const relevant = cursors.filter(
      (c) => c.signals.length === 0 || c.signals.includes(seg.signal),
    );
    if (relevant.length === 0) continue;
    const size = logicalSize(seg);
    const key = cursorKey(seg.signal, seg.segment);
    if (!relevant.every((c) => (c.segments[key] ?? -1) >= size)) continue;
    rmSync(seg.file, { force: true });
    deleted.push(key);
    forgotten.push({ signal: seg.signal, segment: seg.segment });
  }
  if (forgotten.length > 0) {
    for (const c of cursors) new CursorStore(dir, c.destination).forget(forgotten);
  }
  return deleted;
}
