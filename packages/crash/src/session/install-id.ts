import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirSync } from '../internal/fs.js';
import { sessionDir } from './session-file.js';

const INSTALL_ID = /^[0-9a-f-]{16,64}$/;

/**
 * The per-install id: random, created once per spool directory (`<dir>/session/install_id`) and
 * never derived from anything about the machine or user. It lets readers compute crash-free
 * users without knowing who they are. Created with O_EXCL so two processes starting together
 * agree on one id.
 */
export function readOrCreateInstallId(spoolDir: string): string {
  const dir = sessionDir(spoolDir);
  const path = join(dir, 'install_id');
  const existing = readInstallId(path);
  if (existing) return existing;
  ensureDirSync(dir);
  const id = randomUUID();
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, id + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readInstallId(path) ?? id;
    return id; // unwritable spool: an id for this process only is better than none
  }
}

function readInstallId(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return INSTALL_ID.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
