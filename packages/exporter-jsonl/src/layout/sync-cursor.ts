import { readdirSync } from 'node:fs';
import { readStateFileSync } from '../fs/state-file.js';
import type { Signal } from '../otlp/types.js';
import { cursorPath, syncDir } from './spool-layout.js';

/**
 * The sync cursor file, `<spool>/sync/<destination>.json`: what one destination has
 * acknowledged. `segments` maps `<signal>/<segment id>` (cursorKey) to the byte position just
 * after the last acknowledged line, positions counted on the decompressed segment. Written by
 * `spool sync` (@otelspool/collector's CursorStore, atomically after every acknowledged
 * request); read here by the writer's byte cap too (shipped segments are evicted first).
 */
export interface CursorFile {
  version: 1;
  destination: string;
  urls: string[];
  /** Signals this destination receives: only they must acknowledge a segment. */
  signals: Signal[];
  updatedAt: string;
  segments: Record<string, number>;
  /**
   * For a key of `segments`: the number of lines up to its position, so the next sync resumes
   * reading there (readSpool's ResumePoint) instead of reading the segment from its start to
   * number its lines. Optional: a cursor without it (or an entry without one) still works.
   */
  lines?: Record<string, number>;
}

/** A cursor holds one entry (~80 bytes) per segment: 32 MiB is ~400,000 segments. */
export const MAX_CURSOR_BYTES = 32 * 1024 * 1024;

/** The key of one segment in `CursorFile.segments`. */
export function cursorKey(signal: Signal, segment: string): string {
  return `${signal}/${segment}`;
}

/** Cursor file text (one JSON object and a newline). */
export function serializeCursor(cursor: CursorFile): string {
  return JSON.stringify(cursor) + '\n';
}

/**
 * A cursor from its file's text, or undefined when not JSON or not a version 1 cursor.
 * Invalid positions and unknown signals are dropped, so a damaged cursor at worst sends a
 * line twice; it never marks unsent data as sent.
 */
export function parseCursor(text: string, destination: string): CursorFile | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const value = parsed as Partial<Record<keyof CursorFile, unknown>>;
  if (value.version !== 1 || typeof value.segments !== 'object' || value.segments === null)
    return undefined;
  const segments: Record<string, number> = {};
  for (const [k, v] of Object.entries(value.segments)) {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) segments[k] = v;
  }
  // A wrong line count only misnumbers lines (the reader checks the position is a line's end).
  const lines: Record<string, number> = {};
  if (typeof value.lines === 'object' && value.lines !== null) {
    for (const [k, v] of Object.entries(value.lines)) {
      if (k in segments && Number.isSafeInteger(v) && (v as number) >= 0) lines[k] = v as number;
    }
  }
  const signals = Array.isArray(value.signals)
    ? value.signals.filter((x): x is Signal => x === 'traces' || x === 'metrics' || x === 'logs')
    : [];
  const urls = Array.isArray(value.urls)
    ? value.urls.filter((u): u is string => typeof u === 'string')
    : [];
  return {
    version: 1,
    destination: typeof value.destination === 'string' ? value.destination : destination,
    urls,
    signals,
    updatedAt: typeof value.updatedAt === 'string' ? value.updatedAt : new Date(0).toISOString(),
    segments,
    ...(Object.keys(lines).length > 0 ? { lines } : {}),
  };
}

/**
 * A destination's cursor, or undefined when missing, unparsable, over MAX_CURSOR_BYTES, or
 * not this user's own 0600 regular file: a cursor another user planted could otherwise mark
 * unsent data as sent (skipped by sync, evicted first by the byte cap).
 */
export function readCursor(spoolDir: string, destination: string): CursorFile | undefined {
  const read = readStateFileSync(cursorPath(spoolDir, destination), {
    maxBytes: MAX_CURSOR_BYTES,
    trusted: true,
  });
  if (!read.ok) return undefined;
  return parseCursor(read.data.toString('utf8'), destination);
}

/** Every destination that ever acknowledged something in this spool. */
export function listCursors(spoolDir: string): CursorFile[] {
  let names: string[];
  try {
    names = readdirSync(syncDir(spoolDir)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: CursorFile[] = [];
  for (const n of names) {
    const cursor = readCursor(spoolDir, n.slice(0, -'.json'.length));
    if (cursor) out.push(cursor);
  }
  return out;
}
