/**
 * Results of whole-spool scans keyed by request and tagged with the spool version they were
 * computed at. Several open tabs refreshing on the same live event share one scan, and an
 * unchanged spool is never rescanned. Bounded: the least recently used entries go first.
 */
export class VersionedCache {
  private readonly entries = new Map<string, { version: string; value: Promise<unknown> }>();

  constructor(private readonly maxEntries = 32) {}

  get<T>(key: string, version: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.version === version) {
      this.entries.delete(key);
      this.entries.set(key, hit); // refresh LRU position
      return hit.value as Promise<T>;
    }
    const value = compute();
    this.entries.set(key, { version, value });
    // A failed scan is not remembered: the next request tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value;
  }
}
