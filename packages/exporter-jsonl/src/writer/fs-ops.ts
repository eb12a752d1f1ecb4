import { closeSync, constants, fchmodSync, openSync } from 'node:fs';
import { ensureSpoolDirSync } from '../fs/ensure-dir.js';

const OWNER_FILE = 0o600;

/**
 * Creates (0700) or reuses the directory `<spoolDir>/<sub>` after checking the spool dir and
 * the subdir (real directories, owned by this user, not group/world-writable: see
 * fs/safe-dir.ts); throws UnsafeSpoolPathError (code EUNSAFEDIR) otherwise.
 */
export function ensureOwnerDir(spoolDir: string, sub: string): string {
  return ensureSpoolDirSync(spoolDir, sub);
}

/**
 * Opens a new file for appending, failing with EEXIST rather than touching an existing file
 * or following a planted symlink (O_EXCL, O_NOFOLLOW), owner-only regardless of the umask.
 */
export function openExclusiveAppend(path: string): number {
  const fd = openSync(
    path,
    constants.O_WRONLY |
      constants.O_CREAT |
      constants.O_EXCL |
      constants.O_APPEND |
      (constants.O_NOFOLLOW ?? 0),
    OWNER_FILE,
  );
  try {
    fchmodSync(fd, OWNER_FILE);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

export function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}
