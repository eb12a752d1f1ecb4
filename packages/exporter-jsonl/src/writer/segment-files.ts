import { close, fstatSync, unlink } from 'node:fs';
import { join } from 'node:path';
import { ensureSpoolDirSync } from '../fs/ensure-dir.js';
import { errorCode } from '../fs/error-code.js';
import { warnUnsafePathOnce } from '../fs/safe-dir.js';
import { newWriterId, segmentFileName } from '../layout/segment-name.js';
import type { Signal } from '../otlp/types.js';
import type { ByteCap } from './byte-cap.js';
import { gzipSegment } from './compress.js';
import { fsync, fsyncSync, openExclusiveAppend } from './fs-ops.js';
import type { Durability } from './options.js';
import type { WriterStats } from './writer-stats.js';

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 30_000;
const OPEN_ATTEMPTS = 5;

/** One segment file this writer opened. */
export interface Segment {
  signal: Signal;
  fd: number;
  path: string;
  bytes: number;
  records: number;
  openedAt: number;
  /** Written since its last fsync. */
  dirty: boolean;
  /** No more writes: closed once its pending fsyncs are done. */
  sealed: boolean;
  closing: boolean;
  /** Passes written to it whose group fsync has not completed (group-sync.ts). */
  pendingSyncs: number;
}

/**
 * The segment lifecycle of one writer: opening a segment per signal (after checking the dirs,
 * with backoff while the file system refuses), rotation by age and by deletion under us,
 * sealing, then fsync, close, and the optional gzip in the background.
 */
export class SegmentFiles {
  /** The segment each signal appends to. */
  readonly active = new Map<Signal, Segment>();
  readonly writerId = newWriterId();
  /** Signals whose directory was last refused as unsafe (their drops count as unsafe_dir). */
  readonly unsafeSignals = new Set<Signal>();
  /** Segments written by the running drain pass: sealed ones close after the pass (and fsync). */
  passTouched: Set<Segment> | undefined;
  private nextSeq = 0;
  private readonly open = new Set<Segment>();
  private readonly backoff = new Map<Signal, { until: number; delay: number }>();
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly dir: string,
    private readonly durability: Durability,
    private readonly maxSegmentAgeMs: number,
    private readonly compressSealed: boolean,
    private readonly cap: ByteCap,
    private readonly stats: WriterStats,
  ) {}

  /** The open segment for `signal`, rotated or (re)opened as needed; undefined while failing. */
  segmentFor(signal: Signal): Segment | undefined {
    const now = Date.now();
    const current = this.active.get(signal);
    if (current && this.stillUsable(current, now)) return current;
    if (current) this.seal(current);
    const backoff = this.backoff.get(signal);
    if (backoff && now < backoff.until) return undefined;
    try {
      // Checks the spool dir and the signal dir every time a segment is opened: another local
      // user must not get our segments written through a dir or link they planted.
      const signalDir = ensureSpoolDirSync(this.dir, signal);
      this.unsafeSignals.delete(signal);
      let fd: number | undefined;
      let path = '';
      for (let attempt = 0; fd === undefined; attempt++) {
        this.nextSeq += 1;
        path = join(
          signalDir,
          segmentFileName(new Date(now), process.pid, this.writerId, this.nextSeq),
        );
        try {
          fd = openExclusiveAppend(path);
        } catch (err) {
          if (errorCode(err) !== 'EEXIST' || attempt + 1 >= OPEN_ATTEMPTS) throw err;
        }
      }
      const seg: Segment = {
        signal,
        fd,
        path,
        bytes: 0,
        records: 0,
        openedAt: now,
        dirty: false,
        sealed: false,
        closing: false,
        pendingSyncs: 0,
      };
      this.active.set(signal, seg);
      this.open.add(seg);
      this.backoff.delete(signal);
      this.cap.refresh();
      return seg;
    } catch (err) {
      this.stats.countError(err);
      if (warnUnsafePathOnce(err)) this.unsafeSignals.add(signal);
      this.bumpBackoff(signal);
      return undefined;
    }
  }

  /** Opening or writing `signal` failed: wait longer (doubling, capped) before the next try. */
  bumpBackoff(signal: Signal): void {
    const prev = this.backoff.get(signal);
    const delay = prev ? Math.min(prev.delay * 2, BACKOFF_MAX_MS) : BACKOFF_MIN_MS;
    this.backoff.set(signal, { until: Date.now() + delay, delay });
  }

  private stillUsable(seg: Segment, now: number): boolean {
    if (now - seg.openedAt >= this.maxSegmentAgeMs && seg.bytes > 0) return false;
    try {
      // Deleted under us (spool dir removed, file evicted by hand): writes would vanish into
      // the unlinked inode, so a new file is opened (and its directory recreated) instead.
      return fstatSync(seg.fd).nlink > 0;
    } catch (err) {
      this.stats.countError(err);
      return false;
    }
  }

  seal(seg: Segment): void {
    if (seg.sealed) return;
    seg.sealed = true;
    if (this.active.get(seg.signal) === seg) this.active.delete(seg.signal);
    if (seg.bytes > 0) this.cap.sealed(seg.path, seg.records);
    // A segment written in the running pass is closed after that pass (and its fsync).
    if (this.passTouched?.has(seg)) return;
    this.closeIfSealed(seg);
  }

  sealAll(): void {
    for (const seg of [...this.active.values()]) this.seal(seg);
  }

  /** fsync (unless durability is 'none'), close, then delete if empty or gzip if configured. */
  closeIfSealed(seg: Segment): void {
    if (!seg.sealed || seg.closing || seg.pendingSyncs > 0) return;
    seg.closing = true;
    const task = new Promise<void>((resolve) => {
      const finish = (): void => {
        close(seg.fd, () => {
          this.open.delete(seg);
          if (seg.bytes === 0) {
            unlink(seg.path, () => resolve());
          } else if (this.compressSealed) {
            void this.compress(seg).then(resolve);
          } else resolve();
        });
      };
      if (this.durability !== 'none' && seg.dirty) {
        seg.dirty = false;
        fsync(seg.fd, (err) => {
          if (err) this.stats.countError(err);
          finish();
        });
      } else finish();
    });
    this.track(task);
  }

  private async compress(seg: Segment): Promise<void> {
    const size = await gzipSegment(seg.path);
    if (size !== undefined) this.cap.compressed(seg.path, seg.bytes, size);
  }

  private track(task: Promise<unknown>): void {
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  /** Resolves when every close and compression started so far has finished. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /** 'interval' durability: one fsync per segment written since the last tick. */
  syncDirty(): void {
    for (const seg of this.active.values()) {
      if (!seg.dirty || seg.closing) continue;
      seg.dirty = false;
      seg.pendingSyncs += 1;
      fsync(seg.fd, (err) => {
        seg.pendingSyncs -= 1;
        if (err) this.stats.countError(err);
        this.closeIfSealed(seg);
      });
    }
  }

  /**
   * The crash path (flushSync): fsyncs every open segment with data not yet known durable
   * before returning. A segment neither written since its last fsync started (`dirty`) nor
   * waiting for one (`pendingSyncs`: passes owed a group fsync, or an fsync in flight) holds
   * nothing an fsync would add; skipping it saves most of the fdatasyncs of a shutdown or an
   * exit (three flushSync calls in a row, one per processor and the writer's own).
   */
  syncAllNow(): void {
    for (const seg of this.open) {
      if (seg.closing || (!seg.dirty && seg.pendingSyncs === 0)) continue;
      try {
        fsyncSync(seg.fd);
        seg.dirty = false;
      } catch (err) {
        this.stats.countError(err);
      }
    }
  }
}
