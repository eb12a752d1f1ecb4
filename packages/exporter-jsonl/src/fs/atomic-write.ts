import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
  type Stats,
  writeSync,
} from 'node:fs';
import { lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UnsafeSpoolPathError } from './safe-dir.js';

/**
 * Flags of every file the spool creates for writing: a new file only (O_EXCL: an existing
 * file or a planted symlink of that name fails with EEXIST) and never through a symlink
 * (O_NOFOLLOW, belt and braces; 0 where the platform has none).
 */
export const WRITE_NOFOLLOW_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * What a rename may replace: nothing, or a regular file. A directory or a symlink where a
 * state file belongs was put there by someone else (rename would not follow the link, but a
 * spool in that state is not one to write into): refused with a clear reason.
 */
function checkRenameTarget(path: string, st: Stats | undefined): void {
  if (st === undefined || st.isFile()) return;
  throw new UnsafeSpoolPathError(
    path,
    st.isSymbolicLink() ? 'is a symbolic link, not a regular file' : 'is not a regular file',
  );
}

function lstatOrUndefinedSync(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Owner-only mode of every file the spool creates. */
export const OWNER_FILE_MODE = 0o600;

/**
 * The temporary sibling a replacement is written to first. It lives in the same directory (so
 * the rename is atomic on the same filesystem), starts with '.' and ends with '.tmp' so that
 * directory listings of the spool (segments, crash reports, quarantine) never pick it up, and
 * carries the pid and a random tag so concurrent writers never share one.
 */
export function atomicTempPath(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

/**
 * Replaces `path` with `data` so that a reader (or a crash at any instant) sees either the old
 * content or the complete new content, never a partial file: write a temporary sibling, fsync
 * it, rename it over `path`, then fsync the directory so the rename itself is durable.
 * The mode is applied with fchmod because open's mode is filtered through the umask.
 * Synchronous on purpose: it is used on crash and shutdown paths where the event loop may not
 * turn again. Throws on failure (after removing the temporary file); callers on the host
 * application's path catch.
 */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: number | WriteFileAtomicOptions = {},
): void {
  const { mode = OWNER_FILE_MODE, fsync: durable = true } =
    typeof options === 'number' ? { mode: options } : options;
  const tmp = atomicTempPath(path);
  let fd: number | undefined;
  try {
    checkRenameTarget(path, lstatOrUndefinedSync(path));
    fd = openSync(tmp, WRITE_NOFOLLOW_FLAGS, mode);
    fchmodSync(fd, mode);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.byteLength) {
      offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
    }
    if (durable) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    rmSync(tmp, { force: true });
    throw err;
  }
  if (durable) fsyncDirSync(dirname(path));
}

export interface WriteFileAtomicOptions {
  /** File mode, applied whatever the umask. Default 0600. */
  mode?: number;
  /**
   * fsync the file and its directory (default true). Files that can be re-created from other
   * data (quarantine copies, the session heartbeat, the metrics snapshot) skip it: they still
   * appear atomically, and survive the death of the process (the page cache does); only a
   * power loss can lose them, and an fsync costs 1-40 ms on a busy disk.
   */
  fsync?: boolean;
}

/** Async variant of {@link writeFileAtomicSync} (same guarantees), for off-critical-path writers. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const mode = options.mode ?? OWNER_FILE_MODE;
  const durable = options.fsync ?? true;
  const tmp = atomicTempPath(path);
  try {
    checkRenameTarget(path, await lstatOrUndefined(path));
    const handle = await open(tmp, WRITE_NOFOLLOW_FLAGS, mode);
    try {
      await handle.chmod(mode);
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (durable) await fsyncDir(dirname(path));
}

/** Async {@link fsyncDirSync}: same best-effort rules. */
async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort, see fsyncDirSync
  }
}

/**
 * fsync of a directory makes a rename or create in it durable. Not every platform allows
 * opening a directory (Windows) or fsync-ing it (some network filesystems): those refusals are
 * ignored, the rename itself has already happened.
 */
export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    fsyncSync(fd);
  } catch {
    // best effort, see above
  } finally {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // nothing more to do
      }
    }
  }
}
