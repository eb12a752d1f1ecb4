import type { ResumePoint, Signal } from '@otelspool/exporter-jsonl';
import {
  cursorKey,
  cursorPath,
  ensureSpoolDirSync,
  readCursor,
  serializeCursor,
  SPOOL_FOLDERS,
  writeFileAtomicSync,
  type CursorFile,
} from '@otelspool/exporter-jsonl/internal';

/**
 * One destination's sync cursor (the file format, its path and its reader are
 * @otelspool/exporter-jsonl's layout/sync-cursor.ts): positions move forward only, and the file
 * is replaced atomically after every acknowledged request, so a killed sync resumes with at
 * most the one in-flight request sent twice.
 */
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

  /** segment → position for one signal. */
  positions(signal: Signal): Record<string, number> {
    const prefix = cursorKey(signal, '');
    const out: Record<string, number> = {};
    for (const [key, pos] of Object.entries(this.state.segments)) {
      if (key.startsWith(prefix)) out[key.slice(prefix.length)] = pos;
    }
    return out;
  }

  /**
   * segment → where to resume, for readSpool's `from`: a ResumePoint where the line count is
   * known (the reader starts there), else the bare position (it reads up to it to count).
   */
  resumePoints(signal: Signal): Record<string, number | ResumePoint> {
    const prefix = cursorKey(signal, '');
    const out: Record<string, number | ResumePoint> = {};
    for (const [key, position] of Object.entries(this.state.segments)) {
      if (!key.startsWith(prefix)) continue;
      const line = this.state.lines?.[key];
      out[key.slice(prefix.length)] = line !== undefined ? { position, line } : position;
    }
    return out;
  }

  /** Acknowledged position of one segment, -1 when none. */
  position(signal: Signal, segment: string): number {
    return this.state.segments[cursorKey(signal, segment)] ?? -1;
  }

  /**
   * Moves positions forward (never back), each with the number of lines up to it when known,
   * and persists atomically.
   */
  commit(
    updates: Iterable<{ signal: Signal; segment: string; position: number; line?: number }>,
  ): void {
    let changed = false;
    for (const { signal, segment, position, line } of updates) {
      const key = cursorKey(signal, segment);
      if ((this.state.segments[key] ?? -1) < position) {
        this.state.segments[key] = position;
        const lines = (this.state.lines ??= {});
        if (line !== undefined) lines[key] = line;
        else delete lines[key];
        changed = true;
      }
    }
    if (!changed) return;
    this.state.updatedAt = new Date().toISOString();
    this.save();
  }

  private save(): void {
    ensureSpoolDirSync(this.dir, SPOOL_FOLDERS.sync); // this user's real, private dirs only
    writeFileAtomicSync(this.file, serializeCursor(this.state));
  }

  /** Forgets segments that no longer exist (after deletion). */
  forget(segments: Iterable<{ signal: Signal; segment: string }>): void {
    let changed = false;
    for (const { signal, segment } of segments) {
      const key = cursorKey(signal, segment);
      if (key in this.state.segments) {
        delete this.state.segments[key];
        delete this.state.lines?.[key];
        changed = true;
      }
    }
    if (changed) this.save();
  }
}
