import { closeSync, lstatSync, openSync, readSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { processIsAlive } from '../fs/process-alive.js';
import { READ_NOFOLLOW_FLAGS } from '../fs/state-file.js';
import { parseSegmentName } from '../layout/segment-name.js';
import { signalDir } from '../layout/spool-layout.js';
import { cursorKey, listCursors } from '../layout/sync-cursor.js';
import { SIGNALS, type Signal } from '../otlp/types.js';

export interface ScannedSegment {
  path: string;
  name: string;
  size: number;
  pid: number;
  writerId: string;
  seq: number;
  signal: Signal;
  compressed: boolean;
}

/** Every segment file of the spool (all signals, all processes), oldest first. */
export function scanSegments(dir: string): ScannedSegment[] {
  const out: ScannedSegment[] = [];
  for (const signal of SIGNALS) {
    const folder = signalDir(dir, signal);
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      const parsed = parseSegmentName(name);
      if (!parsed) continue;
      const path = join(folder, name);
      let size: number;
      try {
        // lstat: a symlink planted among the segments is not ours to count or evict.
        const st = lstatSync(path);
        if (!st.isFile()) continue;
        size = st.size;
      } catch {
        continue; // deleted meanwhile (another process evicted or compressed it)
      }
      out.push({ path, name, size, signal, ...parsed });
    }
  }
  // Names start with the UTC open time, so a name sort is a time sort across signals.
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/**
 * The segments a live writer may still be appending to: for every (signal, pid, writer) of a
 * live process, its newest uncompressed segment. Those are never evicted; everything else in
 * the spool is sealed. This writer's own segments are known exactly (`ownActive`).
 */
export function liveSegmentPaths(
  segments: readonly ScannedSegment[],
  ownActive: ReadonlySet<string>,
  ownWriterId: string,
): Set<string> {
  const newest = new Map<string, ScannedSegment>();
  for (const s of segments) {
    if (s.compressed) continue;
    const key = `${s.signal}/${s.pid}/${s.writerId}`;
    const prev = newest.get(key);
    if (!prev || s.seq > prev.seq) newest.set(key, s);
  }
  const live = new Set<string>(ownActive);
  const alive = new Map<number, boolean>();
  for (const s of newest.values()) {
    if (s.pid === process.pid && s.writerId === ownWriterId) continue;
    let isAlive = alive.get(s.pid);
    if (isAlive === undefined) {
      isAlive = processIsAlive(s.pid);
      alive.set(s.pid, isAlive);
    }
    if (isAlive) live.add(s.path);
  }
  return live;
}

export interface EvictionResult {
  totalBytes: number;
  segments: number;
  evicted: { path: string; size: number; shipped: boolean }[];
}

/**
 * Reads the sync cursors (layout/sync-cursor.ts) and returns a test telling whether a segment
 * has been shipped: at least one destination receives its signal (a cursor with no `signals`
 * receives every signal) and every such destination acknowledged it to the end. listCursors
 * skips unreadable files and cursors another user could have written (not ours, not 0600, or
 * over MAX_CURSOR_BYTES): a planted cursor must not get unsent data evicted first.
 */
export function shippedSegmentTest(dir: string): (segment: ScannedSegment) => boolean {
  const cursors = listCursors(dir);
  if (cursors.length === 0) return () => false;
  return (segment) => {
    const relevant = cursors.filter(
      (c) => c.signals.length === 0 || c.signals.includes(segment.signal),
    );
    if (relevant.length === 0) return false;
    const key = cursorKey(segment.signal, segment.name.replace(/\.gz$/, ''));
    const end = logicalSize(segment);
    return relevant.every((c) => (c.segments[key] ?? -1) >= end);
  };
}

/**
 * Bytes of a segment as readers count positions (decompressed). For gzip the trailer's ISIZE
 * field holds it (mod 2^32; segments are far smaller), so no decompression is needed.
 */
function logicalSize(segment: ScannedSegment): number {
  if (!segment.compressed) return segment.size;
  let fd: number | undefined;
  try {
    fd = openSync(segment.path, READ_NOFOLLOW_FLAGS);
    const trailer = Buffer.alloc(4);
    if (readSync(fd, trailer, 0, 4, segment.size - 4) !== 4) return Number.POSITIVE_INFINITY;
    return trailer.readUInt32LE(0);
  } catch {
    return Number.POSITIVE_INFINITY;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Deletes sealed segments until `incoming` more bytes fit under `capBytes`: first the oldest
 * segments every sync destination has already acknowledged (shipped data), then the oldest of
 * the rest: shipped data is the cheapest to lose (ARCHITECTURE.md, SpoolWriterOptions).
 * Returns the spool size after eviction (which may still not leave room).
 */
export function evictOldest(
  dir: string,
  capBytes: number,
  incoming: number,
  ownActive: ReadonlySet<string>,
  ownWriterId: string,
): EvictionResult {
  const segments = scanSegments(dir);
  let total = 0;
  for (const s of segments) total += s.size;
  const evicted: EvictionResult['evicted'] = [];
  let count = segments.length;
  if (total + incoming <= capBytes) return { totalBytes: total, segments: count, evicted };
  const live = liveSegmentPaths(segments, ownActive, ownWriterId);
  const isShipped = shippedSegmentTest(dir);
  const sealed = segments.filter((s) => !live.has(s.path));
  const shipped = sealed.filter(isShipped);
  const shippedPaths = new Set(shipped.map((s) => s.path));
  const order = [...shipped, ...sealed.filter((s) => !shippedPaths.has(s.path))];
  for (const s of order) {
    if (total + incoming <= capBytes) break;
    try {
      unlinkSync(s.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') continue;
      // ENOENT: someone else removed it first; it no longer counts either way.
    }
    total -= s.size;
    count -= 1;
    evicted.push({ path: s.path, size: s.size, shipped: shippedPaths.has(s.path) });
  }
  return { totalBytes: total, segments: count, evicted };
}
