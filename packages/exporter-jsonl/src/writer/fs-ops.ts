import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  mkdirSync,
  openSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';

const OWNER_DIR = 0o700;
const OWNER_FILE = 0o600;

/**
 * Creates `path` (and missing parents) owner-only. The mode is applied with chmod as well
 * because mkdir's mode is filtered through the umask. Existing directories are left as the
 * user made them.
 */
export function ensureOwnerDir(path: string): void {
  try {
    if (statSync(path).isDirectory()) return;
  } catch {
    // missing: created below
  }
  ensureOwnerDir(dirname(path) === path ? path : dirname(path));
  try {
    mkdirSync(path, { mode: OWNER_DIR });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return;
  }
  chmodSync(path, OWNER_DIR);
}

/**
 * Opens a new file for appending, failing with EEXIST rather than touching an existing file
 * (O_EXCL), owner-only regardless of the umask.
 */
export function openExclusiveAppend(path: string): number {
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND,
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
