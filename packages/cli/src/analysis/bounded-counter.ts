import type { CountByKey } from './types.js';

/**
 * Counts by key with a cap on distinct keys: past `maxKeys`, new keys are counted under
 * `overflowKey`. Keeps memory bounded when a spool holds unbounded cardinality (e.g. span names
 * with ids in them).
 */
export class BoundedCounter {
  private readonly counts = new Map<string, number>();
  capped = false;

  constructor(
    readonly maxKeys = 1000,
    readonly overflowKey = '(other)',
  ) {}

  add(key: string, n = 1): void {
    const current = this.counts.get(key);
    if (current !== undefined) {
      this.counts.set(key, current + n);
    } else if (this.counts.size < this.maxKeys) {
      this.counts.set(key, n);
    } else {
      this.capped = true;
      this.counts.set(this.overflowKey, (this.counts.get(this.overflowKey) ?? 0) + n);
    }
  }

  get size(): number {
    return this.counts.size;
  }

  get total(): number {
    let sum = 0;
    for (const v of this.counts.values()) sum += v;
    return sum;
  }

  /** Highest counts first; ties by key so output is stable. */
  top(n: number): CountByKey[] {
    return [...this.counts]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, n);
  }
}
