import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes } from '../analysis/format.js';
import { progressAllowed } from './terminal.js';

/** A read shorter than this shows no progress at all (clig.dev: no flicker for fast commands). */
export const PROGRESS_DELAY_MS = 1000;
const REDRAW_MS = 200;
const SEGMENT_FILE = /^[^.].*\.jsonl(\.gz)?$/;

/** What a spool read reports for each record it yields (SpoolRecord has both). */
export interface ReadPosition {
  file: string;
  position: number;
}

/** Progress of one spool read; {@link startReadProgress} returns a no-op one when not allowed. */
export interface ReadProgress {
  /** Called for every record read: where the reader is. */
  onRecord(record: ReadPosition): void;
  /** Ends the progress line (clears it). Idempotent. */
  stop(): void;
}

const NO_PROGRESS: ReadProgress = { onRecord: () => undefined, stop: () => undefined };

/**
 * "reading spool… 1.2 GiB / 3.4 GiB" on stderr, redrawn in place, from the first second of a
 * read on, cleared when it ends. Only when {@link progressAllowed} (a TTY, no --json, no
 * NO_COLOR/--no-color/TERM=dumb); otherwise nothing is drawn and nothing is measured.
 */
export function startReadProgress(
  dir: string,
  signals: readonly string[],
  options: { json?: boolean } = {},
  stream: NodeJS.WriteStream = process.stderr,
): ReadProgress {
  if (!progressAllowed(options, stream)) return NO_PROGRESS;
  const sizes = new Map<string, number>();
  for (const signal of signals) {
    let names: string[];
    try {
      names = readdirSync(join(dir, signal));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!SEGMENT_FILE.test(name)) continue;
      try {
        sizes.set(join(dir, signal, name), statSync(join(dir, signal, name)).size);
      } catch {
        // gone since listed: counts as nothing
      }
    }
  }
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  let doneFiles = 0;
  let current: string | undefined;
  let currentBytes = 0;
  let drawn = false;
  let interval: NodeJS.Timeout | undefined;
  const draw = (): void => {
    const done = Math.min(total, doneFiles + currentBytes);
    stream.write(`\r\x1b[2Kreading spool… ${formatBytes(done)} / ${formatBytes(total)}`);
    drawn = true;
  };
  const delay = setTimeout(() => {
    draw();
    interval = setInterval(draw, REDRAW_MS);
    interval.unref();
  }, PROGRESS_DELAY_MS);
  delay.unref();
  let stopped = false;
  return {
    onRecord(record) {
      if (record.file !== current) {
        if (current !== undefined) doneFiles += sizes.get(current) ?? 0;
        current = record.file;
        currentBytes = 0;
      }
      // A compressed segment's position is in decompressed bytes: it counts when it is done.
      if (!record.file.endsWith('.gz'))
        currentBytes = Math.min(record.position, sizes.get(record.file) ?? 0);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(delay);
      if (interval) clearInterval(interval);
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

/**
 * Runs one spool read with a progress line: `read` gets the per-record callback to hand to the
 * reader, and the line is cleared however the read ends.
 */
export async function withReadProgress<T>(
  dir: string,
  signals: readonly string[],
  options: { json?: boolean },
  read: (onRecord: (record: ReadPosition) => void) => Promise<T>,
): Promise<T> {
  const progress = startReadProgress(dir, signals, options);
  try {
    return await read((record) => progress.onRecord(record));
  } finally {
    progress.stop();
  }
}
