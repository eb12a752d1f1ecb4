import { lstatSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { indexDbPath } from '@otelspool/exporter-jsonl/internal';

/** Why an index file is not read: not ours, writable by others, not a regular file. */
export class UntrustedIndexError extends Error {
  readonly code = 'EUNTRUSTEDINDEX';
}

/**
 * Opens the index of `spoolDir` read-only, after checking it the way the writer checks every
 * spool dir: the `index/` dir and the database (and its -wal/-shm when present) must be ours,
 * not writable by group or others, and the file a regular file (not a symlink or a FIFO, whose
 * open would block the process). Anyone who can write there could otherwise hide records from
 * a search or fabricate them; a read can still fall back to the scan, which trusts only segments.
 * `trusted_schema = OFF`: views and triggers in the file cannot call functions with side
 * effects. Throws UntrustedIndexError (or the lstat error, e.g. ENOENT).
 */
export function openIndexReadOnly(spoolDir: string): DatabaseSync {
  const path = indexDbPath(spoolDir);
  // A first build renames its file over the index (index-spool.ts finishBuild). SQLite finds
  // the -wal and -shm by name at a connection's first read, so a connection opened on the old
  // file just before the swap would read it through the new file's WAL: after the first read
  // the file must still be the one opened, else open again.
  for (let attempt = 1; ; attempt++) {
    checkOwned(lstatSync(dirname(path)), 'dir', dirname(path));
    const before = lstatSync(path);
    checkOwned(before, 'file', path);
    for (const suffix of ['-wal', '-shm']) {
      let st: Stats;
      try {
        st = lstatSync(path + suffix);
      } catch {
        continue; // absent: fine
      }
      checkOwned(st, 'file', path + suffix);
    }
    const db = new DatabaseSync(path, { readOnly: true });
    let failure: unknown;
    try {
      db.exec('PRAGMA trusted_schema = OFF');
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
    } catch (err) {
      failure = err;
    }
    let same = false;
    try {
      const after = lstatSync(path);
      same = after.dev === before.dev && after.ino === before.ino;
    } catch {
      // gone meanwhile: open again (and fail with ENOENT if it stays gone)
    }
    if (same && failure === undefined) return db;
    db.close();
    if (same || attempt >= 3) throw failure ?? new Error(`${path}: replaced while being opened`);
  }
}

function checkOwned(st: Stats, kind: 'dir' | 'file', path: string): void {
  const typeOk = kind === 'dir' ? st.isDirectory() : st.isFile();
  const uid = process.getuid?.();
  if (!typeOk) throw new UntrustedIndexError(`${path}: not a regular ${kind}`);
  if (uid !== undefined && st.uid !== uid)
    throw new UntrustedIndexError(`${path}: owned by uid ${st.uid}, not by this user`);
  if ((st.mode & 0o022) !== 0)
    throw new UntrustedIndexError(`${path}: writable by group or others`);
}
