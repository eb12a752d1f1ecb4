import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  checkParent,
  checkParentSync,
  ensureCheckedDir,
  ensureCheckedDirSync,
  ensureSpoolDir as ensureSpoolDirWith,
  ensureSpoolDirSync as ensureSpoolDirSyncWith,
} from './safe-dir.js';

/** Owner-only directory mode of every directory the spool creates. */
export const OWNER_DIR_MODE = 0o700;

/**
 * `mkdir -p` for a directory of the spool. Every directory this call creates is chmod-ed to
 * 0700 (mkdir's mode is filtered through the umask). The directory asked for, new or reused,
 * must then be a real directory owned by this user and not group/world-writable, else
 * {@link UnsafeSpoolPathError} (code EUNSAFEDIR) is thrown: another local user may have
 * pre-created it, or planted a symlink in its place. Pre-existing parents are not checked
 * (they are not the spool's); use {@link ensureSpoolDirSync} to check a whole spool path.
 */
export function ensureDirSync(path: string, _mode: number = OWNER_DIR_MODE): void {
  ensureCheckedDirSync(path, (p) => makeParentsSync(dirname(p)));
}

/** Async variant of {@link ensureDirSync}, for paths off the host's synchronous path. */
export async function ensureDir(path: string, _mode: number = OWNER_DIR_MODE): Promise<void> {
  await ensureCheckedDir(path, (p) => makeParents(dirname(p)));
}

/**
 * Creates (when missing) and checks `root` and each directory of `root/subs...`, every one of
 * them (see {@link ensureDirSync}); returns the deepest path. What every writer of the spool
 * calls before opening a file in it.
 */
export function ensureSpoolDirSync(root: string, ...subs: string[]): string {
  return ensureSpoolDirSyncWith(root, subs, (p) => makeParentsSync(dirname(p)));
}

/** Async variant of {@link ensureSpoolDirSync}. */
export function ensureSpoolDir(root: string, ...subs: string[]): Promise<string> {
  return ensureSpoolDirWith(root, subs, (p) => makeParents(dirname(p)));
}

/**
 * `mkdir -p` of the parents (followed as they are), new ones 0700, each only inside a parent
 * that {@link checkParentSync} accepts.
 */
function makeParentsSync(path: string): void {
  if (isDirectorySync(path)) return;
  const parent = dirname(path);
  if (parent !== path) makeParentsSync(parent);
  checkParentSync(path);
  try {
    mkdirSync(path, { mode: OWNER_DIR_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && isDirectorySync(path)) return;
    throw err;
  }
  chmodSync(path, OWNER_DIR_MODE);
}

async function makeParents(path: string): Promise<void> {
  if (await isDirectory(path)) return;
  const parent = dirname(path);
  if (parent !== path) await makeParents(parent);
  await checkParent(path);
  try {
    await mkdir(path, { mode: OWNER_DIR_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await isDirectory(path))) return;
    throw err;
  }
  await chmod(path, OWNER_DIR_MODE);
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
