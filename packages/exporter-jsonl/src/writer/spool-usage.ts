import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
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
        const st = statSync(path);
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

export interface EvictionResult {
  totalBytes: number;
  segments: number;
  evicted: { path: string; size: number }[];
}

/**
 * Deletes the oldest sealed segments until `incoming` more bytes fit under `capBytes`.
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
  const evicted: { path: string; size: number }[] = [];
  let count = segments.length;
  if (total + incoming <= capBytes) return { totalBytes: total, segments: count, evicted };
  const live = liveSegmentPaths(segments, ownActive, ownWriterId);
  for (const s of segments) {
    if (total + incoming <= capBytes) break;
    if (live.has(s.path)) continue;
    try {
      unlinkSync(s.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') continue;
      // ENOENT: someone else removed it first; it no longer counts either way.
    }
    total -= s.size;
    count -= 1;
    evicted.push({ path: s.path, size: s.size });
  }
  return { totalBytes: total, segments: count, evicted };
}
