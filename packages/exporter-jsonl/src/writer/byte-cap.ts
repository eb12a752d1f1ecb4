import type { Signal } from '../otlp/types.js';
import { evictOldest, scanSegments } from './spool-usage.js';
import type { WriterStats } from './writer-stats.js';

/** The spool size estimate is refreshed from disk at least this often while writing. */
const USAGE_RESCAN_MS = 5000;

/**
 * The spool byte cap (maxSpoolBytes, over every process's segments): an estimate of the
 * spool's size, refreshed from disk at every rotation, every few seconds and near the cap, and
 * the eviction of the oldest sealed segments (shipped ones first, spool-usage.ts) when a write
 * would exceed it. Also remembers how many records each segment this writer sealed holds, so
 * evictions are counted in records, not only bytes.
 */
export class ByteCap {
  /** Estimated bytes and segment files of the spool; `scannedAt` of the last scan. */
  usage = { bytes: 0, segments: 0, scannedAt: Number.NEGATIVE_INFINITY };
  private readonly sealedRecords = new Map<string, number>();

  constructor(
    private readonly dir: string,
    private readonly maxSpoolBytes: number,
    private readonly stats: WriterStats,
  ) {}

  /** A segment of this writer was sealed holding `records` records. */
  sealed(path: string, records: number): void {
    this.sealedRecords.set(path, records);
  }

  /** A sealed segment of `bytes` bytes was gzipped to `<path>.gz` of `size` bytes. */
  compressed(path: string, bytes: number, size: number): void {
    this.usage.bytes -= bytes - size;
    const records = this.sealedRecords.get(path);
    if (records !== undefined) {
      this.sealedRecords.delete(path);
      this.sealedRecords.set(`${path}.gz`, records);
    }
  }

  refresh(): void {
    try {
      const segments = scanSegments(this.dir);
      let bytes = 0;
      for (const s of segments) bytes += s.size;
      this.usage = { bytes, segments: segments.length, scannedAt: Date.now() };
    } catch (err) {
      this.stats.countError(err);
    }
  }

  /**
   * True when `bytes` more fit under maxSpoolBytes, after deleting the oldest sealed segments
   * of the spool if needed. The on-disk size is an estimate between scans (other processes
   * write too). `active`: this writer's open segments, never evicted.
   */
  reserve(bytes: number, active: ReadonlyMap<Signal, { path: string }>, writerId: string): boolean {
    const now = Date.now();
    const fresh = now - this.usage.scannedAt < USAGE_RESCAN_MS;
    if (fresh && this.usage.bytes + bytes <= this.maxSpoolBytes) return true;
    try {
      const ownActive = new Set<string>();
      for (const seg of active.values()) ownActive.add(seg.path);
      const result = evictOldest(this.dir, this.maxSpoolBytes, bytes, ownActive, writerId);
      const evicted = this.stats.evicted;
      for (const e of result.evicted) {
        evicted.segments += 1;
        evicted.bytes += e.size;
        if (e.shipped) evicted.shipped += 1;
        const records = this.sealedRecords.get(e.path);
        if (records !== undefined) {
          evicted.records += records;
          if (e.shipped) evicted.shippedRecords += records;
          this.sealedRecords.delete(e.path);
        }
      }
      this.usage = { bytes: result.totalBytes, segments: result.segments, scannedAt: now };
      return result.totalBytes + bytes <= this.maxSpoolBytes;
    } catch (err) {
      this.stats.countError(err);
      return this.usage.bytes + bytes <= this.maxSpoolBytes;
    }
  }

  /** SpoolWriter.makeRoom: evicts now, after a fresh scan, so that `wanted` bytes fit. */
  makeRoom(wanted: number, active: ReadonlyMap<Signal, { path: string }>, writerId: string): void {
    if (wanted <= 0 || this.maxSpoolBytes <= 0) return;
    try {
      // Never beyond the cap itself: evicting everything cannot make room for more than that.
      this.usage.scannedAt = Number.NEGATIVE_INFINITY;
      this.reserve(Math.min(wanted, this.maxSpoolBytes), active, writerId);
    } catch (err) {
      this.stats.countError(err);
    }
  }
}
