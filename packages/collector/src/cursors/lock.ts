import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirSync } from '@otelspool/exporter-jsonl';
import { SYNC_DIR } from './cursor-store.js';

export class SyncLockedError extends Error {
  constructor(readonly pid: number) {
    super(`another sync (pid ${pid}) is running on this spool`);
    this.name = 'SyncLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SyncLock {
  release(): void;
}

/**
 * One sync per spool: `<dir>/sync/.lock` created with O_EXCL holding our pid. A lock whose
 * pid is dead (sync killed) is stale and taken over.
 */
export function acquireSyncLock(dir: string): SyncLock {
  ensureDirSync(join(dir, SYNC_DIR));
  const file = join(dir, SYNC_DIR, '.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(file, 'utf8').trim() === String(process.pid))
              rmSync(file, { force: true });
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let pid = NaN;
      try {
        pid = Number(readFileSync(file, 'utf8').trim());
      } catch {
        continue; // removed between open and read: try again
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new SyncLockedError(pid);
      }
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`cannot acquire ${file}`);
}
