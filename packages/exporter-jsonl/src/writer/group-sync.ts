import { performance } from 'node:perf_hooks';
import type { AppendQueue, Entry } from './append-queue.js';
import { fsync } from './fs-ops.js';
import type { Segment, SegmentFiles } from './segment-files.js';
import type { WriterStats } from './writer-stats.js';

/**
 * Under 'batch', passes written back to back share one fsync (started when the queue is
 * drained or this many bytes wait for it): each fdatasync costs the same CPU and journal
 * commit whether it covers 1 MiB or 8 MiB, so fewer, larger ones keep 'batch' close to 'none'.
 * At 1 MiB a burst (~100k spans/s, ~0.5 KiB a line) hit the bound every few passes, so the
 * window below never applied and fsyncs ran back to back (bench G7 ≈ 0.81-0.93×).
 */
const GROUP_SYNC_BYTES = 8 * 1024 * 1024;
/**
 * ... and a new group fsync starts at most this long after the previous one started, unless
 * GROUP_SYNC_BYTES are waiting: back-to-back fsyncs (one per pass) cost 10-20% of throughput in
 * kernel CPU on a 2-core machine, while ~10 ms more acknowledgement latency costs nothing
 * (nothing waits on it but `write()`/`flush()` callers, and SIGKILL still loses only
 * unacknowledged lines).
 */
const GROUP_SYNC_WINDOW_MS = 10;

/** One drain pass: its entries (acknowledged after the fsync) and the segments it wrote. */
interface Pass {
  processed: Entry[];
  touched: Set<Segment>;
}

/**
 * Group commit for durability 'batch': a written line is acknowledged only after an fsync
 * that started after its write. One fsync per segment runs at a time: passes written
 * meanwhile wait for the next one, so writing never stalls on the disk and a slow fsync covers
 * more lines instead of queueing more fsyncs. An fsync error turns the covered lines of that
 * segment into failures (`ok = false`).
 */
export class GroupSync {
  /** Passes written and not yet covered by an fsync, oldest first. */
  private unsynced: Pass[] = [];
  private running = false;
  private unsyncedBytes = 0;
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: AppendQueue,
    private readonly segments: SegmentFiles,
    private readonly stats: WriterStats,
  ) {}

  /** Passes are waiting for an fsync. */
  get waiting(): boolean {
    return this.unsynced.length > 0;
  }

  /** No fsync is running and no pass waits for one. */
  get idle(): boolean {
    return this.unsynced.length === 0 && !this.running;
  }

  /**
   * A pass was written: it is acknowledged after the next group fsync. A pass without writes
   * (all dropped) still waits its turn so acknowledgements stay in write order.
   */
  add(processed: Entry[], touched: Set<Segment>): void {
    for (const seg of touched) seg.pendingSyncs += 1; // keeps the fd open until synced
    this.unsynced.push({ processed, touched });
    for (const e of processed) if (e.ok) this.unsyncedBytes += e.bytes;
    this.start();
  }

  /** Starts one fsync per segment written by the waiting passes, unless one is running. */
  private start(): void {
    if (this.running || this.unsynced.length === 0) return;
    // More lines are about to be written: let them join this fsync (bounded by bytes).
    if (this.queue.hasPending() && this.unsyncedBytes < GROUP_SYNC_BYTES) return;
    const wait = this.lastStartedAt + GROUP_SYNC_WINDOW_MS - performance.now();
    if (wait > 0 && this.unsyncedBytes < GROUP_SYNC_BYTES) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.start();
      }, wait);
      return;
    }
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastStartedAt = performance.now();
    const passes = this.unsynced;
    this.unsynced = [];
    this.unsyncedBytes = 0;
    const owed = new Map<Segment, number>();
    for (const pass of passes) {
      for (const seg of pass.touched) owed.set(seg, (owed.get(seg) ?? 0) + 1);
    }
    const finish = (): void => {
      this.running = false;
      for (const pass of passes) this.queue.complete(pass.processed, this.idle);
      this.start();
      if (this.queue.hasPending()) this.queue.scheduleDrain();
    };
    if (owed.size === 0) {
      finish();
      return;
    }
    this.running = true;
    let pending = owed.size;
    for (const [seg, passCount] of owed) {
      seg.dirty = false;
      fsync(seg.fd, (err) => {
        seg.pendingSyncs -= passCount;
        if (err) {
          this.stats.countError(err);
          for (const pass of passes) {
            if (!pass.touched.has(seg)) continue;
            for (const e of pass.processed) if (e.ok && e.signal === seg.signal) e.ok = false;
          }
        }
        this.segments.closeIfSealed(seg);
        pending -= 1;
        if (pending === 0) finish();
      });
    }
  }
}
