import { readdir } from 'node:fs/promises';
import { listSegments } from '@otelspool/exporter-jsonl';
import { crashesDir } from '@otelspool/exporter-jsonl/internal';

/** Default and bounds of the poll interval; live updates never poll faster than 4 Hz. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;
const MIN_POLL_INTERVAL_MS = 250;
const MAX_POLL_INTERVAL_MS = 10_000;

export function clampPollInterval(ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms)) return DEFAULT_POLL_INTERVAL_MS;
  return Math.min(MAX_POLL_INTERVAL_MS, Math.max(MIN_POLL_INTERVAL_MS, Math.round(ms)));
}

/**
 * A cheap fingerprint of the spool's contents: every segment's id, size and mtime (through the
 * shared `listSegments`, no line is parsed) plus the names of the crash reports. It changes
 * whenever a process appends, rotates, compresses or drops a segment or writes a crash.
 */
export async function spoolVersion(dir: string): Promise<string> {
  const parts: string[] = [];
  try {
    for (const s of await listSegments(dir)) {
      parts.push(`${s.signal}/${s.segment}:${s.size}:${Math.trunc(s.mtimeMs)}`);
    }
  } catch {
    // A missing or unreadable spool is just "empty" to the dashboard.
  }
  try {
    const crashes = (await readdir(crashesDir(dir))).filter((n) => n.endsWith('.json'));
    parts.push(`crashes:${crashes.length}:${crashes.sort().at(-1) ?? ''}`);
  } catch {
    parts.push('crashes:0');
  }
  parts.sort();
  return fnv1a(parts.join('\n'));
}

/** 32-bit FNV-1a, hex: a short, stable tag for the version string (not a security hash). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `${text.length.toString(36)}-${(hash >>> 0).toString(16).padStart(8, '0')}`;
}

type Listener = (version: string) => void;

/**
 * Polls `spoolVersion` while at least one listener is subscribed and tells listeners when it
 * changes. Polling (rather than fs.watch) behaves the same on every OS and filesystem and
 * costs one directory listing per interval; it stops as soon as the last listener leaves.
 */
export class SpoolWatcher {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private lastVersion: string | undefined;

  constructor(
    private readonly dir: string,
    private readonly intervalMs: number,
  ) {}

  /**
   * The spool's version: while polling, the one last observed (what live streams announced);
   * while idle, read now.
   */
  async current(): Promise<string> {
    if (this.timer === undefined) return spoolVersion(this.dir);
    if (this.lastVersion === undefined) this.lastVersion = await spoolVersion(this.dir);
    return this.lastVersion;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    // Nothing watched the spool while idle: the next subscriber starts from a fresh reading.
    this.lastVersion = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) return; // a slow disk never stacks polls
    this.polling = true;
    try {
      const version = await spoolVersion(this.dir);
      if (this.lastVersion === undefined) {
        this.lastVersion = version;
        return;
      }
      if (version === this.lastVersion) return;
      this.lastVersion = version;
      for (const listener of [...this.listeners]) {
        try {
          listener(version);
        } catch {
          // one broken stream never stops the others
        }
      }
    } finally {
      this.polling = false;
    }
  }
}
