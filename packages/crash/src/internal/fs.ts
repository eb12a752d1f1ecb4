import {
  closeSync,
  constants,
  fchmodSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { atomicTempPath } from '@otelspool/exporter-jsonl';

// Atomic writes and owner-only directories come from the spool package so every file of the
// spool is created the same way.
export { ensureDirSync, writeFileAtomicSync } from '@otelspool/exporter-jsonl';

/** Reads and parses a JSON file of at most `maxBytes`; undefined when missing, unreadable or invalid. */
export function readJsonFileSync(path: string, maxBytes = 16 * 1024 * 1024): unknown {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Replaces `path` atomically (temp file + rename) without fsync. For files that are rewritten
 * often on the app's main thread (the session heartbeat) or whose content the next start can
 * rebuild from fsynced data (the session file and ledger on the crash path, rebuilt from the
 * crash report): the page cache survives the death of the process, only a power loss can lose
 * them, and an fsync costs 1-40 ms on a busy disk.
 */
export function replaceFileSync(path: string, data: string, mode = 0o600): void {
  const tmp = atomicTempPath(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
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
