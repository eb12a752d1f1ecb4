import type { LogsData, MetricsData, Signal, TracesData } from '../otlp/types.js';

/** One line of the spool, parsed and normalised. */
export interface SpoolRecord<T = TracesData | MetricsData | LogsData> {
  signal: Signal;
  /** Absolute path of the file read. */
  file: string;
  /** Segment id: the file's basename without `.gz`, stable when a segment gets compressed. */
  segment: string;
  /** 1-based line number within the segment. */
  line: number;
  /** Byte offset (in the decompressed segment) just after this line's '\n': a resume cursor. */
  position: number;
  /** The normalised OTLP object (see src/otlp/types.ts). */
  data: T;
}

/**
 * Where a reader that already read a plain segment up to `position` resumes it: `position` just
 * after a '\n' (a SpoolRecord's or MalformedEntry's position), `line` the number of lines up to
 * and including that one (that record's `line`). The reader checks that the byte before
 * `position` is a '\n' and otherwise reads the segment from its start, as for a bare position.
 */
export interface ResumePoint {
  position: number;
  line: number;
}

export interface ReadSpoolOptions {
  /** Signals to read, in this order. Default: traces, metrics, logs. */
  signals?: Signal[];
  /** Copy malformed lines to `<dir>/quarantine/` (default true). Bad lines are skipped either way. */
  quarantine?: boolean;
  /**
   * Segment id → position: records at or before that position are skipped (sync cursors). A
   * bare position still reads the segment from its start, to number its lines; a
   * {@link ResumePoint} (the position and the number of lines up to it) starts reading there.
   */
  from?: Record<string, number | ResumePoint>;
  /**
   * Keep watching for appended lines and new segments until `signal` aborts. Without it, each
   * segment is read only up to the size it had when listed (at the start of the read), so a
   * file another process appends to forever cannot keep a one-shot read running.
   */
  follow?: boolean;
  /** Ends the iteration (without an error) when aborted. */
  signal?: AbortSignal;
  /** Called for every skipped malformed line or unreadable file, quarantined or not. */
  onMalformed?: (entry: MalformedEntry) => void;
  /** Longest line accepted, in bytes (default {@link DEFAULT_MAX_LINE_BYTES}). */
  maxLineBytes?: number;
  /**
   * How far a line longer than `maxLineBytes` is followed in search of its '\n' (default
   * {@link MAX_SCAN_FACTOR} × `maxLineBytes`). Past it, the rest of the segment is quarantined
   * as one record without being read.
   */
  maxScanBytes?: number;
  /** Follow mode: how often segments are re-checked when no file-system event arrives (ms, default 500). */
  pollIntervalMs?: number;
}

/** What the reader could not read, as written to `<dir>/quarantine/<signal>/`. */
export interface MalformedEntry {
  signal: Signal;
  file: string;
  segment: string;
  /** 1-based line number; absent when the whole file could not be read. */
  line?: number;
  /** Byte offset just after the line (as SpoolRecord.position). */
  position?: number;
  reason: string;
  /** Length of the raw line in bytes (without the '\n'). */
  bytes?: number;
  /** sha256 (hex) of the whole raw line. */
  sha256?: string;
  /** True when only the first `storedBytes` bytes of the line were kept. */
  truncated?: boolean;
  storedBytes?: number;
  /** The stored bytes as text, when they are valid UTF-8 ... */
  raw?: string;
  /** ... else base64. */
  rawBase64?: string;
}

export interface SegmentInfo {
  signal: Signal;
  /** Absolute path. */
  file: string;
  /** Basename without `.gz`. */
  segment: string;
  /** Size on disk in bytes (compressed size for .gz). */
  size: number;
  mtimeMs: number;
  compressed: boolean;
  /** Writer pid from the segment name; 0 for files not named by our writer (e.g. a Collector file). */
  pid: number;
  /** Writer start time from the segment name (ms since the epoch); the file's mtime for foreign names. */
  startedAt: number;
}

/**
 * Longest line the reader parses: 16 MiB. Our writer's lines are one export batch (512 spans of
 * ~1.2 KB ≈ 0.6 MB by default); the Collector's file exporter writes one export request per
 * line, and the Collector's receivers cap requests well below this by default (gRPC 4 MiB).
 * Parsing a line costs several times its size in heap, so the cap bounds a hostile file's
 * memory use to ~100-200 MB. Longer lines are streamed to quarantine (prefix + length + sha256).
 */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * A line longer than the limit is still followed to its '\n' (it is quarantined either way, but
 * the lines after it are good data) for up to this many times the limit: 256 MiB by default,
 * ~0.3 s of reading and hashing. A run with no newline beyond that (a sparse 100 GB file, a
 * gzip bomb of one line) is not a line anyone wrote: the rest of the segment is quarantined as
 * one record whose size is known from the file's size, without reading it, so every later read
 * of that spool pays the same bounded cost instead of minutes.
 */
export const MAX_SCAN_FACTOR = 16;
