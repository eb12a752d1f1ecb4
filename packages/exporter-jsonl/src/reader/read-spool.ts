import { join, resolve } from 'node:path';
import { describeError, errorCode } from '../fs/error-code.js';
import { SIGNALS, type Signal } from '../otlp/types.js';
import { ChangeWatcher } from './change-watcher.js';
import { listSegments } from './list-segments.js';
import { Quarantine } from './quarantine.js';
import {
  READ_CHUNK_BYTES,
  readCompressedSegment,
  readPlainSegment,
  SegmentReplacedError,
  SegmentState,
  type ReadBounds,
  type SegmentBatch,
} from './segment-reader.js';
import {
  DEFAULT_MAX_LINE_BYTES,
  MAX_SCAN_FACTOR,
  type ReadSpoolOptions,
  type SegmentInfo,
  type SpoolRecord,
} from './types.js';

const DEFAULT_POLL_INTERVAL_MS = 500;
const MIN_POLL_INTERVAL_MS = 20;

/**
 * The spool reader: every record of `<dir>/<signal>/*.jsonl[.gz]`, per signal in the order
 * asked, segments in lexical (= time) order, lines in file order, each parsed and normalised
 * (see `parseOtlpJson`).
 *
 * Nothing in the spool stops it: a torn last line (no '\n' yet) is left alone, since its writer
 * may still be completing it; a malformed line (invalid JSON or UTF-8, binary junk, wrong shape,
 * longer than `maxLineBytes`) is copied to `<dir>/quarantine/` with its reason and skipped; a
 * file that cannot be read is reported the same way; a missing directory is an empty spool.
 * Memory stays bounded by one read chunk plus one line, however large the files.
 *
 * Time is bounded too. Without `follow`, each segment is read only up to the size the listing
 * saw, so a file appended to forever does not keep a one-shot read running, and an overlong
 * unterminated tail is quarantined (it cannot be a torn line anyone is completing in time). A
 * line with no '\n' in `maxScanBytes` ends the reading of its segment: the rest is quarantined
 * as one record of known size without being read (a sparse 100 GB file costs one scan limit).
 * Symlinks and other non-regular files under a segment's name are never opened.
 *
 * With `follow`, it then keeps watching for appended lines and new segments (a pending torn line
 * is delivered once completed; a segment compressed while being followed continues from the same
 * position in its `.gz`) until `options.signal` aborts, which ends the iteration normally.
 */
export async function* readSpool(
  dir: string,
  options: ReadSpoolOptions = {},
): AsyncGenerator<SpoolRecord> {
  const root = resolve(dir);
  const signals: readonly Signal[] = options.signals ?? SIGNALS;
  for (const signal of signals) {
    if (!SIGNALS.includes(signal))
      throw new TypeError(`readSpool: unknown signal ${String(signal)}`);
  }
  const abort = options.signal;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const maxScanBytes = Math.max(
    maxLineBytes,
    options.maxScanBytes ?? maxLineBytes * MAX_SCAN_FACTOR,
  );
  const from = options.from ?? {};
  const quarantine = new Quarantine(root, options.quarantine ?? true, options.onMalformed);
  const states = new Map<string, SegmentState>();
  /** Segments found replaced while read: resumed from a bare position from then on. */
  const replaced = new Set<string>();
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  const watcher = options.follow
    ? new ChangeWatcher(
        Math.max(MIN_POLL_INTERVAL_MS, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
      )
    : undefined;

  try {
    for (;;) {
      if (watcher) {
        watcher.watchDir(root);
        for (const signal of signals) watcher.watchDir(join(root, signal));
      }
      const segments = await listSegments(root, signals);
      const seen = new Set<string>();
      for (const info of segments) {
        if (abort?.aborted) return;
        const key = `${info.signal}/${info.segment}`;
        seen.add(key);
        let state = states.get(key);
        if (!state) {
          const resume = resumePoint(from[info.segment]);
          if (replaced.has(key)) delete resume.line;
          state = new SegmentState(
            info.signal,
            info.segment,
            maxLineBytes,
            resume.position,
            maxScanBytes,
            // A .gz is read from its start whatever the point (no random access).
            info.compressed ? undefined : resume.line,
          );
          states.set(key, state);
        }
        if (!needsRead(state, info)) continue;
        let source = info;
        // One-shot reads stop at the size listed; follow mode reads to the size at open and
        // catches up on the next pass (so one busy file cannot starve the others either).
        let bounds: ReadBounds = watcher ? { final: false } : { maxBytes: info.size, final: true };
        try {
          for (let attempt = 0; ; attempt++) {
            try {
              for await (const batch of readSegment(state, source, buffer, abort, bounds)) {
                for (const bad of batch.bad) {
                  await quarantine.line(source.signal, source.file, source.segment, bad);
                }
                for (const record of batch.records) {
                  if (abort?.aborted) return;
                  yield record;
                }
              }
              break;
            } catch (err) {
              // The plain file vanished after the listing: compressed meanwhile (continue in
              // the .gz, same positions) or dropped by the byte cap (nothing left to read).
              if (attempt > 0 || source.compressed || errorCode(err) !== 'ENOENT') throw err;
              source = { ...info, file: `${info.file}.gz`, compressed: true };
              // the listed size was the plain file's: the .gz is bounded by its size at open
              bounds = { final: bounds.final };
            }
          }
          state.failedAt = undefined;
        } catch (err) {
          if (err instanceof SegmentReplacedError) {
            states.delete(key); // re-read from the start on the next pass
            // The caller's line count described the old file: count the new one's lines.
            replaced.add(key);
            continue;
          }
          if (errorCode(err) === 'ENOENT') continue; // deleted (byte cap, sync): not an error
          const stamp = `${info.size}:${info.mtimeMs}`;
          if (state.failedAt !== stamp) {
            state.failedAt = stamp;
            await quarantine.file(
              info.signal,
              info.file,
              info.segment,
              `cannot read: ${describeError(err)}`,
            );
          }
        }
      }
      if (!watcher) return;
      for (const key of states.keys()) {
        if (!seen.has(key)) states.delete(key); // deleted (byte cap, sync): forget it
      }
      await watcher.next(abort);
      if (abort?.aborted) return;
    }
  } finally {
    watcher?.close();
  }
}

/**
 * A cursor from a file may be anything: only a positive finite number skips lines, and only a
 * ResumePoint with a non-negative integer line lets the reader start there.
 */
function resumePoint(value: unknown): { position: number; line?: number } {
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
  if (valid(value)) return { position: value };
  if (typeof value === 'object' && value !== null) {
    const { position, line } = value as { position?: unknown; line?: unknown };
    if (valid(position)) {
      // Only a whole byte offset can be seeked to; anything else reads up to it to count.
      return Number.isSafeInteger(position) && Number.isSafeInteger(line) && (line as number) >= 0
        ? { position, line: line as number }
        : { position };
    }
  }
  return { position: 0 };
}

function needsRead(state: SegmentState, info: SegmentInfo): boolean {
  if (state.failedAt !== undefined && state.failedAt === `${info.size}:${info.mtimeMs}`) {
    return false;
  }
  if (info.compressed) return !state.compressedDone;
  // Resumed at the listed size: nothing new, and no need to open the file to know it.
  if (state.resumedUnread && info.size === state.splitter.consumed) return false;
  // Grown (appended), shrunk (truncated: re-read from the start), or never opened.
  return state.ino === -1 || info.size !== state.splitter.consumed;
}

function readSegment(
  state: SegmentState,
  info: SegmentInfo,
  buffer: Buffer,
  abort: AbortSignal | undefined,
  bounds: ReadBounds,
): AsyncGenerator<SegmentBatch> {
  return info.compressed
    ? readCompressedSegment(state, info.file, abort, bounds)
    : readPlainSegment(state, info.file, buffer, abort, bounds);
}
