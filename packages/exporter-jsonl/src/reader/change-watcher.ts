import { watch, type FSWatcher } from 'node:fs';

/**
 * Wakes follow mode when a spool directory changes: fs.watch on the spool root (a signal
 * directory appears) and on each signal directory (a segment is created, appended, compressed
 * or deleted), plus a poll timer as the fallback for file systems where fs.watch is silent or
 * unavailable (network mounts, inotify limits) and for appends that some platforms do not
 * report on a directory watch. Events are coalesced: a burst of appends is one wake-up.
 */
export class ChangeWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private changed = false;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(private readonly pollIntervalMs: number) {}

  /** Starts watching `dir` if it exists and is not watched yet; failures leave polling only. */
  watchDir(dir: string): void {
    if (this.closed || this.watchers.has(dir)) return;
    try {
      const watcher = watch(dir, { persistent: false }, () => this.notify());
      watcher.on('error', () => {
        watcher.close();
        this.watchers.delete(dir);
        this.notify(); // the directory may have been removed or replaced: re-list
      });
      this.watchers.set(dir, watcher);
    } catch {
      // missing directory or no watch support: the poll timer covers it
    }
  }

  /** Resolves on the next change, after the poll interval, or when `signal` aborts. */
  async next(signal: AbortSignal | undefined): Promise<void> {
    if (this.changed) {
      this.changed = false;
      return;
    }
    if (signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
    this.changed = false;
  }

  close(): void {
    this.closed = true;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.wake?.();
  }

  private notify(): void {
    this.changed = true;
    this.wake?.();
  }
}
