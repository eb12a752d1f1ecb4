/** What a bounded ring holds and what it let go of. */
export interface RingStats {
  /** Records held now. */
  records: number;
  /** Their estimated size (see estimate-size.ts), bytes. */
  bytes: number;
  /** Records evicted (oldest first) to stay within the bounds, since creation or reset. */
  evicted: number;
}

/**
 * The last `maxRecords` items, and at most `maxBytes` of their estimated sizes: a fixed
 * circular array, so a push is O(1) (amortised over the evictions it causes) and allocates
 * nothing once full. FifoQueue (exporter-jsonl util/fifo-queue.ts) is unbounded and has no
 * read-without-taking, which is what an in-process view needs.
 */
export class BoundedRing<T> {
  private readonly slots: Array<T | undefined>;
  private readonly sizes: Float64Array;
  private head = 0;
  private count = 0;
  private bytes = 0;
  private evicted = 0;

  constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
  ) {
    this.slots = new Array<T | undefined>(maxRecords);
    this.sizes = new Float64Array(maxRecords);
  }

  /** Adds `item`, evicting the oldest first; an item larger than maxBytes alone is evicted at once. */
  push(item: T, size: number): void {
    if (this.maxRecords === 0 || size > this.maxBytes) {
      this.evicted += 1;
      return;
    }
    while (this.count > 0 && (this.count >= this.maxRecords || this.bytes + size > this.maxBytes)) {
      this.dropOldest();
    }
    const slot = (this.head + this.count) % this.maxRecords;
    this.slots[slot] = item;
    this.sizes[slot] = size;
    this.count += 1;
    this.bytes += size;
  }

  /** The items held, oldest first (a copy). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++)
      out.push(this.slots[(this.head + i) % this.maxRecords] as T);
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
    this.evicted = 0;
  }

  stats(): RingStats {
    return { records: this.count, bytes: this.bytes, evicted: this.evicted };
  }

  private dropOldest(): void {
    this.bytes -= this.sizes[this.head] ?? 0;
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.maxRecords;
    this.count -= 1;
    this.evicted += 1;
  }
}
