import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import {
  ensureSpoolDirSync,
  processIsAlive,
  readStateFileSync,
  SPOOL_FOLDERS,
  syncLockPath,
  WRITE_NOFOLLOW_FLAGS,
} from '@otelspool/exporter-jsonl/internal';

export class SyncLockedError extends Error {
  constructor(readonly pid: number) {
    super(`another sync (pid ${pid}) is running on this spool`);
    this.name = 'SyncLockedError';
  }
}

/** The pid text of a lock file (a few bytes; capped, regular files only), undefined if gone. */
function readLockPid(file: string): string | undefined {
  const read = readStateFileSync(file, { maxBytes: 64 });
  if (read.ok) return read.data.toString('utf8').trim();
  return read.reason === 'missing' ? undefined : '';
}

export interface SyncLock {
  release(): void;
}

/**
 * One sync per spool: `<dir>/sync/.lock` created with O_EXCL holding our pid. A lock whose
 * pid is dead (sync killed) is stale and taken over.
 */
export function acquireSyncLock(dir: string): SyncLock {
  ensureSpoolDirSync(dir, SPOOL_FOLDERS.sync);
  const file = syncLockPath(dir); // a dot file, so listCursors never reads it
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, WRITE_NOFOLLOW_FLAGS, 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (readLockPid(file) === String(process.pid)) rmSync(file, { force: true });
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const text = readLockPid(file);
      if (text === undefined) continue; // removed between open and read: try again
      const pid = Number(text);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processIsAlive(pid)) {
        throw new SyncLockedError(pid);
      }
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`cannot acquire ${file}`);
}
