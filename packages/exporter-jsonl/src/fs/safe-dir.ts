import { chmodSync, lstatSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Error code of every refusal by these helpers: a path of the spool that another local user
 * could control (TELEMETRY_GUIDE.md, "Threat model": the spool dir may be pre-created by someone else).
 * Writers count it under this code; the SDK counts the records it drops as `unsafe_dir`.
 */
export const UNSAFE_PATH_CODE = 'EUNSAFEDIR';

/** A spool path telemetry refuses to use, with the path and the reason in the message. */
export class UnsafeSpoolPathError extends Error {
  readonly code = UNSAFE_PATH_CODE;
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`refusing to use ${path}: it ${reason}`);
    this.name = 'UnsafeSpoolPathError';
  }
}

/**
 * The uid files and directories of the spool must belong to, or undefined where there is no
 * such notion (Windows: process.getuid is missing and modes mean little; ACLs rule there).
 */
export function currentUid(): number | undefined {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return undefined;
  return process.getuid();
}

const octal = (mode: number): string => '0' + (mode & 0o777).toString(8).padStart(3, '0');

/**
 * Why an lstat result cannot be a directory of the spool, or undefined when it can: it must be
 * a real directory (a symlink could point anywhere, e.g. into a victim's home), owned by the
 * current user, and not writable by group or others (who could otherwise plant links in it).
 */
export function unsafeDirReason(
  st: Stats,
  uid: number | undefined = currentUid(),
): string | undefined {
  if (st.isSymbolicLink()) return 'is a symbolic link, not a directory';
  if (!st.isDirectory()) return 'is not a directory';
  if (uid === undefined) return undefined;
  if (st.uid !== uid) return `is owned by uid ${st.uid}, not by this user (uid ${uid})`;
  if ((st.mode & 0o022) !== 0) {
    return `is writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${octal(st.mode)}; expected 0700)`;
  }
  return undefined;
}

/**
 * Why a new directory must not be created inside `st` (the parent, links followed), or
 * undefined: someone other than this user or root owns it (they could rename our new dir
 * away and put a link in its place), or others may write it without the sticky bit that
 * makes /tmp safe (same). A spool root in /tmp or in the user's home is fine; a `crashes`
 * dir inside a 0777 dir of another user is not.
 */
export function unsafeParentReason(
  st: Stats,
  uid: number | undefined = currentUid(),
): string | undefined {
  if (uid === undefined) return undefined;
  if (st.uid !== uid && st.uid !== 0) {
    return `is owned by uid ${st.uid}, not by this user (uid ${uid}) or root`;
  }
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
    return `is writable by group or others without the sticky bit (mode ${octal(st.mode)})`;
  }
  return undefined;
}

/** Throws unless a directory may be created in `path`'s parent (see {@link unsafeParentReason}). */
export function checkParentSync(path: string): void {
  const parent = dirname(path);
  const reason = unsafeParentReason(statSync(parent));
  if (reason !== undefined) throw new UnsafeSpoolPathError(parent, reason);
}

/** Async {@link checkParentSync}. */
export async function checkParent(path: string): Promise<void> {
  const parent = dirname(path);
  const reason = unsafeParentReason(await stat(parent));
  if (reason !== undefined) throw new UnsafeSpoolPathError(parent, reason);
}

/** Throws {@link UnsafeSpoolPathError} unless `path` is a safe directory (ENOENT when missing). */
export function checkSpoolDirSync(path: string): void {
  const reason = unsafeDirReason(lstatSync(path));
  if (reason !== undefined) throw new UnsafeSpoolPathError(path, reason);
}

async function checkSpoolDir(path: string): Promise<void> {
  const reason = unsafeDirReason(await lstat(path));
  if (reason !== undefined) throw new UnsafeSpoolPathError(path, reason);
}

/**
 * Creates `path` (0700 whatever the umask) when missing and checks it: an existing directory
 * is reused only when {@link unsafeDirReason} finds nothing wrong. Parents are created like
 * `mkdir -p` but not checked: they are not the spool's (a spool in /tmp sits in a dir every
 * user can write, made safe by its sticky bit).
 */
export function ensureCheckedDirSync(path: string, makeParents: (parent: string) => void): void {
  let st: Stats | undefined;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (st) {
    // A plain file in the way fails as `mkdir -p` reports it (EEXIST).
    if (st.isFile()) mkdirSync(path);
    const reason = unsafeDirReason(st);
    if (reason !== undefined) throw new UnsafeSpoolPathError(path, reason);
    return;
  }
  makeParents(path);
  checkParentSync(path);
  try {
    mkdirSync(path, { mode: 0o700 });
    chmodSync(path, 0o700);
  } catch (err) {
    // Created meanwhile by another process (or writer): fine if it passes the check below.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  checkSpoolDirSync(path);
}

/** Async {@link ensureCheckedDirSync}. */
export async function ensureCheckedDir(
  path: string,
  makeParents: (parent: string) => Promise<void>,
): Promise<void> {
  let st: Stats | undefined;
  try {
    st = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (st) {
    if (st.isFile()) await mkdir(path);
    const reason = unsafeDirReason(st);
    if (reason !== undefined) throw new UnsafeSpoolPathError(path, reason);
    return;
  }
  await makeParents(path);
  await checkParent(path);
  try {
    await mkdir(path, { mode: 0o700 });
    await chmod(path, 0o700);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  await checkSpoolDir(path);
}

/**
 * Checks that `root` and every directory from it down to `root/sub[0]/sub[1]/...` is a safe
 * spool directory (see {@link unsafeDirReason}), creating missing ones 0700 (and root's
 * missing parents). Returns the deepest path. Checking every component matters: a safe
 * `traces` inside a root another user can write can be swapped for a link at any time.
 */
export function ensureSpoolDirSync(
  root: string,
  subs: readonly string[],
  makeParents: (parent: string) => void,
): string {
  ensureCheckedDirSync(root, makeParents);
  let path = root;
  for (const sub of subs) {
    path = join(path, sub);
    ensureCheckedDirSync(path, () => undefined);
  }
  return path;
}

/** Async {@link ensureSpoolDirSync}. */
export async function ensureSpoolDir(
  root: string,
  subs: readonly string[],
  makeParents: (parent: string) => Promise<void>,
): Promise<string> {
  await ensureCheckedDir(root, makeParents);
  let path = root;
  for (const sub of subs) {
    path = join(path, sub);
    await ensureCheckedDir(path, async () => undefined);
  }
  return path;
}

const warned = new Set<string>();

/**
 * Tells the user once per path and process why telemetry refuses it: a process warning
 * (printed on stderr by Node unless the host handles 'warning' events), never a throw.
 * Returns whether `err` was such a refusal.
 */
export function warnUnsafePathOnce(err: unknown): boolean {
  if (!(err instanceof UnsafeSpoolPathError)) return false;
  if (warned.has(err.path)) return true;
  warned.add(err.path);
  try {
    process.emitWarning(`otelspool: ${err.message}; telemetry will not write there`, {
      code: 'OTELSPOOL_UNSAFE_DIR',
    });
  } catch {
    // a host's warning listener must not turn this into a failure
  }
  return true;
}
