import { randomUUID } from 'node:crypto';
import { closeSync, openSync, writeSync, fsyncSync } from 'node:fs';
import {
  ensureSpoolDirSync,
  installIdPath,
  readStateFileSync,
  SPOOL_FOLDERS,
  WRITE_NOFOLLOW_FLAGS,
} from '@otelspool/exporter-jsonl/write-path';

const INSTALL_ID = /^[0-9a-f-]{16,64}$/;
/** An id line is 37 bytes; anything much larger is not one of ours. */
const MAX_INSTALL_ID_BYTES = 256;

/**
 * The per-install id: random, created once per spool directory (`<dir>/session/install_id`) and
 * never derived from anything about the machine or user. It lets readers compute crash-free
 * users without knowing who they are. Created with O_EXCL (and O_NOFOLLOW) so two processes
 * starting together agree on one id; honoured only from this user's own 0600 file. When the
 * spool cannot hold it (unwritable, or refused as unsafe), the id lives for this process only.
 */
export function readOrCreateInstallId(spoolDir: string): string {
  const path = installIdPath(spoolDir);
  const existing = readInstallId(path);
  if (existing) return existing;
  const id = randomUUID();
  try {
    ensureSpoolDirSync(spoolDir, SPOOL_FOLDERS.session);
    const fd = openSync(path, WRITE_NOFOLLOW_FLAGS, 0o600);
    try {
      writeSync(fd, id + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readInstallId(path) ?? id;
    return id; // unwritable or unsafe spool: an id for this process only is better than none
  }
}

function readInstallId(path: string): string | undefined {
  const read = readStateFileSync(path, { maxBytes: MAX_INSTALL_ID_BYTES, trusted: true });
  if (!read.ok) return undefined;
  const text = read.data.toString('utf8').trim();
  return INSTALL_ID.test(text) ? text : undefined;
}
