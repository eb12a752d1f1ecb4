import { closeSync, lstatSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ensureSpoolDirSync,
  indexDbPath,
  processIsAlive,
  readStateFileSync,
  SPOOL_FOLDERS,
  WRITE_NOFOLLOW_FLAGS,
} from '@otelspool/exporter-jsonl/internal';

/** How long a second indexer waits for the first before giving up. */
export const INDEX_LOCK_WAIT_MS = 120_000;
const POLL_MS = 50;
const UNWRITTEN_GRACE_MS = 5_000;

export interface IndexLock {
  release(): void;
}

/** `<spool>/index/.lock`: beside the database, a dot file. */
export function indexLockPath(spoolDir: string): string {
  return join(dirname(indexDbPath(spoolDir)), '.lock');
}

interface LockOwner {
  pid: number;
  startedAt: number;
}

/** The owner written in the lock file, undefined when the file is gone, NaN fields when unreadable. */
function lockOwner(file: string): LockOwner | undefined {
  const read = readStateFileSync(file, { maxBytes: 64 });
  if (!read.ok) return read.reason === 'missing' ? undefined : { pid: NaN, startedAt: NaN };
  const [pid, startedAt] = read.data.toString('utf8').trim().split(/\s+/);
  return { pid: Number(pid), startedAt: Number(startedAt) };
}

const PROCESS_STARTED_AT = Date.now() - process.uptime() * 1000;

/**
 * A lock is held while its pid lives. Our own pid counts as live (another async update in this
 * process holds it) unless the lock predates this process (a dead process whose pid we reused).
 */
function isHeld(owner: LockOwner, file: string): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) {
    // Empty or garbled: its creator may be between open and write. Stale only once it is old.
    try {
      return Date.now() - lstatSync(file).mtimeMs < UNWRITTEN_GRACE_MS;
    } catch {
      return false;
    }
  }
  if (owner.pid === process.pid) return owner.startedAt >= PROCESS_STARTED_AT - 1000;
  if (!processIsAlive(owner.pid)) return false;
  // Alive, but a process that started after the lock was taken cannot have taken it: the
  // indexer died and its pid was reused (Linux: the start time is in /proc; elsewhere the
  // pid alone decides).
  const started = processStartMs(owner.pid);
  return (
    started === undefined || !Number.isFinite(owner.startedAt) || started <= owner.startedAt + 1000
  );
}

/** When a process started (ms since the epoch), from /proc on Linux; undefined elsewhere. */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime, clock ticks after boot); fields are counted after the `(comm)`,
    // which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!Number.isFinite(ticks) || !btime) return undefined;
    // USER_HZ is 100 on every Linux ABI Node supports (sysconf(_SC_CLK_TCK) is not exposed).
    return Number(btime[1]) * 1000 + ticks * 10;
  } catch {
    return undefined;
  }
}

/**
 * One writer per index, by design rather than by retrying SQLITE_BUSY: the lock file is created
 * O_EXCL|O_NOFOLLOW 0600 holding "pid start-time", as the collector's sync lock does; a lock
 * whose pid is dead is stale and taken over. A second indexer polls up to `waitMs`, then runs
 * (finding little left to do). Readers never take it.
 */
export async function acquireIndexLock(
  spoolDir: string,
  waitMs: number = INDEX_LOCK_WAIT_MS,
): Promise<IndexLock> {
  ensureSpoolDirSync(spoolDir, SPOOL_FOLDERS.index);
  const file = indexLockPath(spoolDir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(file, WRITE_NOFOLLOW_FLAGS, 0o600);
      const takenAt = Date.now();
      try {
        writeSync(fd, `${process.pid} ${takenAt}`);
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const owner = lockOwner(file);
          if (owner?.pid === process.pid && owner.startedAt === takenAt) {
            rmSync(file, { force: true });
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = lockOwner(file);
      if (owner === undefined) continue; // released between our open and read
      if (!isHeld(owner, file)) {
        rmSync(file, { force: true }); // stale: its owner is gone
        continue;
      }
      if (Date.now() >= deadline) {
        throw Object.assign(
          new Error(`the spool index is locked by pid ${owner.pid} (waited ${waitMs} ms)`),
          { code: 'EINDEXLOCKED' },
        );
      }
      await sleep(POLL_MS);
    }
  }
}
