import { closeSync, lstatSync, openSync, readSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { READ_NOFOLLOW_FLAGS, readJsonStateFileSync } from '../fs/state-file.js';
import { parseSegmentName } from './segment-name.js';
import { SIGNALS } from './signal.js';

export interface ScannedSegment {
  path: string;
  name: string;
  size: number;
  pid: number;
  writerId: string;
  seq: number;
  signal: string;
  compressed: boolean;
}

/** Every segment file of the spool (all signals, all processes), oldest first. */
export function scanSegments(dir: string): ScannedSegment[] {
  const out: ScannedSegment[] = [];
  for (const signal of SIGNALS) {
    const signalDir = join(dir, signal);
    let names: string[];
    try {
      names = readdirSync(signalDir);
    } catch {
      continue;
    }
    for (const name of names) {
      const parsed = parseSegmentName(name);
      if (!parsed) continue;
      const path = join(signalDir, name);
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

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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

/** Same cap as the collector's cursor store (collector/src/cursors/cursor-store.ts). */
const MAX_CURSOR_BYTES = 32 * 1024 * 1024;

export interface EvictionResult {
  totalBytes: number;
  segments: number;
  evicted: { path: string; size: number; shipped: boolean }[];
}

/**
 * Reads the sync checkpoints (`<dir>/sync/*.json`, written by `spool sync`: `signals` a
 * destination receives and `segments` mapping `<signal>/<segment id>` to the byte position it
 * acknowledged) and returns a test telling whether a segment has been shipped: at least one
 * destination receives its signal and every such destination acknowledged it to the end.
 * Unreadable or foreign files are ignored (a segment then simply does not count as shipped),
 * and so are cursors another user could have written (not ours, not 0600) or larger than
 * MAX_CURSOR_BYTES: a planted cursor must not get unsent data evicted first.
 */
export function shippedSegmentTest(dir: string): (segment: ScannedSegment) => boolean {
  const cursors: { signals: string[]; segments: Record<string, number> }[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(join(dir, 'sync')).filter((n) => n.endsWith('.json'));
  } catch {
    return () => false;
  }
  for (const name of names) {
    try {
      const parsed = readJsonStateFileSync(join(dir, 'sync', name), {
        maxBytes: MAX_CURSOR_BYTES,
        trusted: true,
      });
      if (typeof parsed !== 'object' || parsed === null) continue;
      const { signals, segments } = parsed as { signals?: unknown; segments?: unknown };
      if (typeof segments !== 'object' || segments === null) continue;
      cursors.push({
        signals: Array.isArray(signals) ? signals.filter((x) => typeof x === 'string') : [],
        segments: segments as Record<string, number>,
      });
    } catch {
      continue;
    }
  }
  if (cursors.length === 0) return () => false;
  return (segment) => {
    const relevant = cursors.filter(
      (c) => c.signals.length === 0 || c.signals.includes(segment.signal),
    );
    if (relevant.length === 0) return false;
    const key = `${segment.signal}/${segment.name.replace(/\.gz$/, '')}`;
    const end = logicalSize(segment);
    return relevant.every((c) => typeof c.segments[key] === 'number' && c.segments[key] >= end);
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
 * the rest (DESIGN.md: "oldest shipped data goes first, then oldest data").
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
