import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureSpoolDirSync,
  readStateFileSync,
  writeFileAtomicSync,
} from '@otelspool/exporter-jsonl';
import type { Signal } from '../otlp/types.js';

/**
 * What one destination has acknowledged: `<signal>/<segment id>` → byte position just after
 * the last acknowledged line (per signal, the `from` map readSpool takes; the signal prefix
 * keeps equally named segments of different signals apart). Stored in `<dir>/sync/<destination>.json`
 * and replaced atomically after every acknowledged request, so a killed sync resumes with at
 * most the one in-flight request sent twice.
 */
export interface CursorFile {
  version: 1;
  destination: string;
  urls: string[];
  /** Signals this destination receives: only they must acknowledge a segment before deletion. */
  signals: Signal[];
  updatedAt: string;
  segments: Record<string, number>;
}

export const SYNC_DIR = 'sync';
/** A cursor holds one entry (~80 bytes) per segment: 32 MiB is ~400,000 segments. */
export const MAX_CURSOR_BYTES = 32 * 1024 * 1024;

export class CursorStore {
  private state: CursorFile;

  constructor(
    private readonly dir: string,
    readonly destination: string,
    urls: string[] = [],
    signals: Signal[] = [],
  ) {
    this.state = readCursor(dir, destination) ?? {
      version: 1,
      destination,
      urls,
      signals,
      updatedAt: new Date(0).toISOString(),
      segments: {},
    };
    for (const url of urls) if (!this.state.urls.includes(url)) this.state.urls.push(url);
    for (const s of signals) if (!this.state.signals.includes(s)) this.state.signals.push(s);
  }

  get file(): string {
    return cursorPath(this.dir, this.destination);
  }

  /** segment → position for one signal, for readSpool's `from`. */
  positions(signal: Signal): Record<string, number> {
    const prefix = `${signal}/`;
    const out: Record<string, number> = {};
    for (const [key, pos] of Object.entries(this.state.segments)) {
      if (key.startsWith(prefix)) out[key.slice(prefix.length)] = pos;
    }
    return out;
  }

  /** Acknowledged position of one segment, -1 when none. */
  position(signal: Signal, segment: string): number {
    return this.state.segments[cursorKey(signal, segment)] ?? -1;
  }

  /** Moves positions forward (never back) and persists atomically. */
  commit(updates: Iterable<{ signal: Signal; segment: string; position: number }>): void {
    let changed = false;
    for (const { signal, segment, position } of updates) {
      const key = cursorKey(signal, segment);
      if ((this.state.segments[key] ?? -1) < position) {
        this.state.segments[key] = position;
        changed = true;
      }
    }
    if (!changed) return;
    this.state.updatedAt = new Date().toISOString();
    this.save();
  }

  private save(): void {
    ensureSpoolDirSync(this.dir, SYNC_DIR); // this user's real, private dirs only
    writeFileAtomicSync(this.file, JSON.stringify(this.state) + '\n');
  }

  /** Forgets segments that no longer exist (after deletion). */
  forget(segments: Iterable<{ signal: Signal; segment: string }>): void {
    let changed = false;
    for (const { signal, segment } of segments) {
      const key = cursorKey(signal, segment);
      if (key in this.state.segments) {
        delete this.state.segments[key];
        changed = true;
      }
    }
    if (changed) this.save();
  }
}

export function cursorKey(signal: Signal, segment: string): string {
  return `${signal}/${segment}`;
}

function cursorPath(dir: string, destination: string): string {
  return join(dir, SYNC_DIR, `${destination}.json`);
}

/**
 * A destination's cursor, or undefined when missing, not JSON, not a version 1 cursor, over
 * MAX_CURSOR_BYTES, or not this user's own 0600 regular file: a cursor another user planted
 * could otherwise mark unsent data as sent (skipped, then deleted).
 */
export function readCursor(dir: string, destination: string): CursorFile | undefined {
  const read = readStateFileSync(cursorPath(dir, destination), {
    maxBytes: MAX_CURSOR_BYTES,
    trusted: true,
  });
  if (!read.ok) return undefined;
  try {
    const parsed = JSON.parse(read.data.toString('utf8')) as CursorFile;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    if (parsed.version !== 1 || typeof parsed.segments !== 'object' || parsed.segments === null)
      return undefined;
    const segments: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed.segments)) {
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) segments[k] = v;
    }
    const signals = Array.isArray(parsed.signals)
      ? parsed.signals.filter((x): x is Signal => x === 'traces' || x === 'metrics' || x === 'logs')
      : [];
    return { ...parsed, urls: Array.isArray(parsed.urls) ? parsed.urls : [], signals, segments };
  } catch {
    return undefined;
  }
}

/** Every destination that ever acknowledged something in this spool. */
export function listCursors(dir: string): CursorFile[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, SYNC_DIR)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: CursorFile[] = [];
  for (const n of names) {
    const c = readCursor(dir, n.slice(0, -'.json'.length));
    if (c) out.push(c);
  }
  return out;
}
