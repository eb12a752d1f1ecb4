import type { Signal } from '../otlp/types.js';

export type Durability = 'none' | 'interval' | 'batch';

export interface SpoolWriterOptions {
  /** Spool directory; `<dir>/<signal>/` holds the segments. */
  dir: string;
  /** 'none': never fsync; 'interval': fsync every fsyncIntervalMs; 'batch': fsync per written batch. */
  durability?: Durability;
  /** fsync period in 'interval' mode. Default 1000. */
  fsyncIntervalMs?: number;
  /** A segment is sealed once it would grow past this. Default 8 MiB. */
  maxSegmentBytes?: number;
  /** A segment is sealed at the first write after it is this old. Default 1 h. */
  maxSegmentAgeMs?: number;
  /** Cap over every segment of the spool (all processes); oldest segments go first. Default 256 MiB. */
  maxSpoolBytes?: number;
  /** Bound of lines waiting to be written; beyond it appends are dropped and counted. Default 16 MiB. */
  maxQueueBytes?: number;
  /** gzip sealed segments in the background. Default false. */
  compressSealed?: boolean;
}

export const DEFAULT_WRITER_OPTIONS = {
  durability: 'interval' as Durability,
  fsyncIntervalMs: 1000,
  maxSegmentBytes: 8 * 1024 * 1024,
  maxSegmentAgeMs: 60 * 60 * 1000,
  maxSpoolBytes: 256 * 1024 * 1024,
  maxQueueBytes: 16 * 1024 * 1024,
  compressSealed: false,
};

/**
 * Why data was not written: the queue was full, the spool byte cap left no room, the file
 * system refused (ENOSPC, EACCES, EROFS, a deleted or replaced directory...), the spool dir or
 * signal dir was refused as unsafe (a symlink, another user's or a group/world-writable dir:
 * `unsafe_dir`), or the writer had been shut down.
 */
export type DropReason = 'queue_full' | 'spool_full' | 'io_error' | 'unsafe_dir' | 'shutdown';

export interface Counts {
  records: number;
  lines: number;
  bytes: number;
}

export interface SpoolStats {
  written: Counts;
  /** Records dropped, by reason. */
  dropped: Record<DropReason, number>;
  /** Records, lines and bytes dropped, by reason. */
  droppedDetail: Record<DropReason, Counts>;
  /**
   * Sealed segments deleted to stay under maxSpoolBytes (records known only for this process's
   * own); `shipped` of them (holding `shippedRecords` records) had been acknowledged by every
   * sync destination, so nothing was lost with those.
   */
  evicted: {
    segments: number;
    bytes: number;
    records: number;
    shipped: number;
    shippedRecords: number;
  };
  /** Estimated bytes of all segments in the spool (rescanned at rotation and near the cap). */
  bytesOnDisk: number;
  /** Segment files in the spool at the last scan, plus those opened since. */
  segments: number;
  queuedBytes: number;
  queuedLines: number;
  /** File-system errors seen, by error code (ENOSPC, EACCES, ...). */
  errors: Record<string, number>;
  /** Segments this writer currently appends to, by signal. */
  activeSegments: Partial<Record<Signal, string>>;
}
