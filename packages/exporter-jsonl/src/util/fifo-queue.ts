/**
 * A first-in first-out queue over one array and a head index: `push` is an array push and
 * taking from the front only moves the index, so neither end costs O(n) per item (as
 * `Array.prototype.shift` does on large arrays). The taken slots are let go of in bulk: at
 * once when the queue empties, else when more than half the array (and over `compactAfter`
 * slots) is behind the head. Used by the SDK's export queue and the spool writer's append
 * queue, both on the host application's hot path.
 */
export class FifoQueue<T> {
  private items: T[] = [];
  private head = 0;

  constructor(private readonly compactAfter = 1024) {}

  /** Items waiting. */
  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The first item, undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Removes and returns the first item, undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.head += 1;
    this.compact();
    return item;
  }

  /** Removes and returns the first `count` items (fewer when fewer wait), in order. */
  take(count: number): T[] {
    const end = Math.min(this.items.length, this.head + count);
    const taken = this.items.slice(this.head, end);
    this.head = end;
    this.compact();
    return taken;
  }

  /** Removes and returns every item, in order. */
  takeAll(): T[] {
    const taken = this.head === 0 ? this.items : this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return taken;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > this.compactAfter && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
