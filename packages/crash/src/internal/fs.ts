import { closeSync, fchmodSync, lstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import {
  atomicTempPath,
  readJsonStateFileSync,
  UnsafeSpoolPathError,
  WRITE_NOFOLLOW_FLAGS,
} from '@otelspool/exporter-jsonl/write-path';

// Atomic writes, owner-only directories and capped reads come from the spool package so every
// file of the spool is created and read the same way.
export {
  ensureDirSync,
  ensureSpoolDirSync,
  readStateFileSync,
  openStateFileSync,
  writeFileAtomicSync,
} from '@otelspool/exporter-jsonl/write-path';

/**
 * Reads and parses a JSON file of at most `maxBytes`; undefined when missing, unreadable,
 * invalid, larger than the cap, not a regular file (a FIFO or /dev/zero planted in its place
 * neither hangs nor fills memory) or a symlink. With `trusted` (session state), only a file
 * this user owns with mode 0600 is honoured.
 */
export function readJsonFileSync(
  path: string,
  maxBytes = 16 * 1024 * 1024,
  options: { trusted?: boolean } = {},
): unknown {
  return readJsonStateFileSync(path, { maxBytes, trusted: options.trusted ?? false });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Replaces `path` atomically (temp file + rename) without fsync. For files that are rewritten
 * often on the app's main thread (the session heartbeat) or whose content the next start can
 * rebuild from fsynced data (the session file and ledger on the crash path, rebuilt from the
 * crash report): the page cache survives the death of the process, only a power loss can lose
 * them, and an fsync costs 1-40 ms on a busy disk. The temporary file is created with O_EXCL
 * and O_NOFOLLOW, and a target that is a symlink or not a regular file is refused.
 */
export function replaceFileSync(path: string, data: string, mode = 0o600): void {
  const tmp = atomicTempPath(path);
  let fd: number | undefined;
  try {
    refuseOddTarget(path);
    fd = openSync(tmp, WRITE_NOFOLLOW_FLAGS, mode);
    fchmodSync(fd, mode);
    const bytes = Buffer.from(data, 'utf8');
    let offset = 0;
    while (offset < bytes.byteLength)
      offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {}
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}

function refuseOddTarget(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return; // missing: nothing to replace
  }
  if (st.isFile()) return;
  throw new UnsafeSpoolPathError(
    path,
    st.isSymbolicLink() ? 'is a symbolic link, not a regular file' : 'is not a regular file',
  );
}
