import { booleanAt, countAt, objectAt, pairsAt, SnapshotError } from './snapshot-check.js';
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

  /**
   * Adds another counter's counts, key by key in its insertion order, through the same cap. Below
   * the cap the result equals one counter fed both inputs; past it, which keys are kept depends on
   * merge order, so partials are merged in the order the scan would visit them.
   */
  merge(other: BoundedCounter): void {
    for (const [key, n] of other.counts) {
      if (other.capped && key === other.overflowKey) {
        this.capped = true;
        this.counts.set(this.overflowKey, (this.counts.get(this.overflowKey) ?? 0) + n);
      } else this.add(key, n);
    }
    if (other.capped) this.capped = true;
  }

  toJSON(): { capped: boolean; counts: [string, number][] } {
    return { capped: this.capped, counts: [...this.counts] };
  }

  static fromJSON(json: unknown, maxKeys: number, path = 'counter'): BoundedCounter {
    const o = objectAt(json, path);
    const counter = new BoundedCounter(maxKeys);
    const counts = pairsAt(o.counts, `${path}.counts`, countAt);
    // The overflow key itself comes on top of maxKeys.
    if (counts.length > maxKeys + 1)
      throw new SnapshotError(`${path}.counts`, `at most ${maxKeys + 1} keys`);
    for (const [key, n] of counts) counter.counts.set(key, n);
    counter.capped = booleanAt(o.capped, `${path}.capped`);
    return counter;
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
