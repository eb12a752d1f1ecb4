import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureSpoolDir } from '../fs/ensure-dir.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import { warnUnsafePathOnce } from '../fs/safe-dir.js';
import { quarantineDir, SPOOL_FOLDERS } from '../layout/spool-layout.js';
import type { Signal } from '../otlp/types.js';
import type { MalformedEntry } from './types.js';

/**
 * Bytes of a bad line kept in its quarantine entry. Lines up to this size are kept whole (every
 * bad line our tests and the real world produce); longer ones keep this prefix plus their full
 * length and sha256, so a spool of hostile 16 MiB lines cannot double its size in quarantine.
 */
export const QUARANTINE_RAW_LIMIT = 1024 * 1024;

/** Bad lines of one segment copied to quarantine per read; the rest are only reported. */
export const QUARANTINE_MAX_LINES_PER_SEGMENT = 1000;

/** A bad line as the reader met it: the stored prefix and the facts about the whole line. */
export interface BadLine {
  line: number;
  position: number;
  reason: string;
  /** The line's bytes, or its first QUARANTINE_RAW_LIMIT bytes when `bytes` is larger. */
  prefix: Buffer;
  bytes: number;
  sha256: string;
}

export function badLineFrom(raw: Buffer, line: number, position: number, reason: string): BadLine {
  return {
    line,
    position,
    reason,
    // A copy: `raw` may be a view of the reader's reused chunk buffer.
    prefix: Buffer.from(raw.subarray(0, Math.min(raw.length, QUARANTINE_RAW_LIMIT))),
    bytes: raw.length,
    sha256: createHash('sha256').update(raw).digest('hex'),
  };
}

/**
 * Writes quarantine entries: one JSON file per bad line at
 * `<dir>/quarantine/<signal>/<segment>.L<line>.json` (or `.file.json` for a file that could not
 * be read), replaced atomically. The name depends only on where the line is, so reading a spool
 * twice (or a segment before and after compression) never duplicates an entry; an existing entry
 * is left alone. Failures to write are swallowed: quarantine is best effort and must never stop
 * the reader (the entry still reaches `onMalformed`).
 *
 * A segment of pure garbage (a binary file dropped into the spool) would otherwise become one
 * quarantine file per line: after {@link QUARANTINE_MAX_LINES_PER_SEGMENT} entries for one
 * segment in one read, a single `<segment>.more.json` says from which line on bad lines were
 * only counted via `onMalformed`, not copied.
 */
export class Quarantine {
  private readonly spoolDir: string;
  private readonly madeDirs = new Set<string>();
  private readonly linesPerSegment = new Map<string, number>();

  constructor(
    spoolDir: string,
    private readonly enabled: boolean,
    private readonly onMalformed?: (entry: MalformedEntry) => void,
  ) {
    this.spoolDir = spoolDir;
  }

  async line(signal: Signal, file: string, segment: string, bad: BadLine): Promise<void> {
    const truncated = bad.prefix.length < bad.bytes;
    const entry: MalformedEntry = {
      signal,
      file,
      segment,
      line: bad.line,
      position: bad.position,
      reason: bad.reason,
      bytes: bad.bytes,
      sha256: bad.sha256,
      truncated,
      storedBytes: bad.prefix.length,
    };
    const key = `${signal}/${segment}`;
    const count = (this.linesPerSegment.get(key) ?? 0) + 1;
    this.linesPerSegment.set(key, count);
    if (count > QUARANTINE_MAX_LINES_PER_SEGMENT) {
      this.report(entry);
      if (count === QUARANTINE_MAX_LINES_PER_SEGMENT + 1) {
        await this.store(signal, `${segment}.more.json`, {
          signal,
          file,
          segment,
          line: bad.line,
          reason: `more than ${QUARANTINE_MAX_LINES_PER_SEGMENT} malformed lines in this segment: from this line on they are skipped without being copied here`,
        });
      }
      return;
    }
    if (isUtf8(bad.prefix)) entry.raw = bad.prefix.toString('utf8');
    else entry.rawBase64 = bad.prefix.toString('base64');
    await this.write(signal, `${segment}.L${bad.line}.json`, entry);
  }

  async file(signal: Signal, file: string, segment: string, reason: string): Promise<void> {
    await this.write(signal, `${segment}.file.json`, { signal, file, segment, reason });
  }

  private async write(signal: Signal, name: string, entry: MalformedEntry): Promise<void> {
    this.report(entry);
    await this.store(signal, name, entry);
  }

  private report(entry: MalformedEntry): void {
    try {
      this.onMalformed?.(entry);
    } catch {
      // a consumer's callback must not stop the reader
    }
  }

  private async store(signal: Signal, name: string, entry: MalformedEntry): Promise<void> {
    if (!this.enabled) return;
    const dir = quarantineDir(this.spoolDir, signal);
    const path = join(dir, name);
    try {
      if (!this.madeDirs.has(dir)) {
        // The spool dir, quarantine/ and quarantine/<signal>/ must all be this user's real,
        // private dirs: a planted `quarantine -> /victim` link must not get files written there.
        await ensureSpoolDir(this.spoolDir, SPOOL_FOLDERS.quarantine, signal);
        this.madeDirs.add(dir);
      }
      if (await exists(path)) return;
      // No fsync: an entry can always be re-created from its segment, and a reader meeting a
      // file full of junk must not pay two fsyncs per line.
      await writeFileAtomic(path, JSON.stringify(entry, null, 2) + '\n', { fsync: false });
    } catch (err) {
      // best effort, see the class comment; an unsafe dir is said once on stderr
      warnUnsafePathOnce(err);
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path); // the entry itself, never what a planted link points to
    return true;
  } catch {
    return false;
  }
}
