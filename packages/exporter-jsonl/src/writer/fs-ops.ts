import { closeSync, constants, fchmodSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { OWNER_FILE_MODE } from '../fs/atomic-write.js';

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
    OWNER_FILE_MODE,
  );
  try {
    fchmodSync(fd, OWNER_FILE_MODE);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

// "fsync" in the writer is fdatasync(2): it makes the appended data and the metadata needed to
// read it back (the file size) durable, and skips the timestamp update a full fsync would also
// force.
export const fsync = fdatasync;
export const fsyncSync = fdatasyncSync;
