import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Owner-only directory mode of every directory the spool creates. */
export const OWNER_DIR_MODE = 0o700;

/**
 * `mkdir -p` with owner-only permissions. mkdir's mode is filtered through the process umask,
 * so every directory this call creates is chmod-ed to 0700 afterwards; directories that already
 * exist are left as their owner made them (the user may have widened a parent on purpose).
 */
export function ensureDirSync(path: string, mode: number = OWNER_DIR_MODE): void {
  if (isDirectorySync(path)) return;
  const parent = dirname(path);
  if (parent !== path) ensureDirSync(parent, mode);
  try {
    mkdirSync(path, { mode });
  } catch (err) {
    // Another process (or writer) created it between the stat and the mkdir: fine if a dir.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && isDirectorySync(path)) return;
    throw err;
  }
  chmodSync(path, mode);
}

/** Async variant of {@link ensureDirSync}, for paths off the host's synchronous path. */
export async function ensureDir(path: string, mode: number = OWNER_DIR_MODE): Promise<void> {
  if (await isDirectory(path)) return;
  const parent = dirname(path);
  if (parent !== path) await ensureDir(parent, mode);
  try {
    await mkdir(path, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await isDirectory(path))) return;
    throw err;
  }
  await chmod(path, mode);
}

function isDirectorySync(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
