import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  type Stats,
} from 'node:fs';
import { currentUid } from './safe-dir.js';

/**
 * Flags for opening a file of the spool for reading: never through a symlink (another user
 * may have swapped one in since the lstat), and never blocking (a FIFO planted in the file's
 * place must not hang the open; the fstat then refuses it). Absent on Windows: 0.
 */
export const READ_NOFOLLOW_FLAGS =
  constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Why a state file was not read. `missing` is the ordinary "not there (yet)". */
export type StateFileRefusal =
  | 'missing'
  | 'symlink'
  | 'not_regular'
  | 'too_large'
  | 'foreign_owner'
  | 'insecure_mode'
  | 'unreadable';

export type StateFileOpen =
  { ok: true; fd: number; size: number } | { ok: false; reason: StateFileRefusal; message: string };

export type StateFileRead =
  { ok: true; data: Buffer } | { ok: false; reason: StateFileRefusal; message: string };

export interface StateFileOptions {
  /**
   * Honour the file only when this user owns it and neither group nor others may write it:
   * sync cursors and session state decide what is sent, deleted or reported, so a file
   * another user could have written is not trusted.
   */
  trusted?: boolean;
  /**
   * Stricter than `trusted`: group and others may not read it either (0600 or stricter).
   * For files holding a secret (consent.json and its anonymization salt: a salt others can
   * read makes every hashed identifier reversible by guessing).
   */
  secret?: boolean;
}

export interface ReadStateFileOptions extends StateFileOptions {
  /** Larger files are refused (`too_large`), never partly read. */
  maxBytes: number;
}

const refuse = (
  reason: StateFileRefusal,
  message: string,
): { ok: false; reason: StateFileRefusal; message: string } => ({ ok: false, reason, message });

type Trust = 'any' | 'trusted' | 'secret';

function whyNot(st: Stats, path: string, trust: Trust): StateFileOpen | undefined {
  if (st.isSymbolicLink()) return refuse('symlink', `${path} is a symbolic link`);
  if (!st.isFile()) return refuse('not_regular', `${path} is not a regular file`);
  const uid = currentUid();
  if (trust === 'any' || uid === undefined) return undefined;
  if (st.uid !== uid) {
    return refuse(
      'foreign_owner',
      `${path} is owned by uid ${st.uid}, not by this user (uid ${uid})`,
    );
  }
  const mode = '0' + (st.mode & 0o777).toString(8).padStart(3, '0');
  if ((st.mode & 0o022) !== 0) {
    return refuse(
      'insecure_mode',
      `${path} is writable by group or others (mode ${mode}; expected 0600)`,
    );
  }
  if (trust === 'secret' && (st.mode & 0o044) !== 0) {
    return refuse(
      'insecure_mode',
      `${path} is readable by group or others (mode ${mode}; expected 0600)`,
    );
  }
  return undefined;
}

/**
 * Opens a small state file for reading, only when it is a regular file (lstat before, fstat
 * after the open, same inode), with {@link READ_NOFOLLOW_FLAGS}; with `trusted`, also only
 * when this user owns it and others cannot write it (`secret`: nor read it). The caller reads from `fd` and closes it.
 * Never throws.
 */
export function openStateFileSync(path: string, options: StateFileOptions = {}): StateFileOpen {
  const trusted: Trust = options.secret ? 'secret' : options.trusted ? 'trusted' : 'any';
  let before: Stats;
  try {
    before = lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return refuse('missing', `${path} does not exist`);
    return refuse('unreadable', `${path} cannot be read (${code ?? String(err)})`);
  }
  const early = whyNot(before, path, trusted);
  if (early) return early;
  let fd: number;
  try {
    fd = openSync(path, READ_NOFOLLOW_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return refuse('missing', `${path} does not exist`);
    if (code === 'ELOOP') return refuse('symlink', `${path} is a symbolic link`);
    return refuse('unreadable', `${path} cannot be read (${code ?? String(err)})`);
  }
  try {
    const after = fstatSync(fd);
    const late =
      whyNot(after, path, trusted) ??
      (after.ino !== before.ino || after.dev !== before.dev
        ? refuse('unreadable', `${path} was replaced while being opened`)
        : undefined);
    if (late) {
      closeSync(fd);
      return late;
    }
    return { ok: true, fd, size: after.size };
  } catch (err) {
    closeSync(fd);
    return refuse('unreadable', `${path} cannot be read (${String(err)})`);
  }
}

/**
 * Reads a whole small state file (consent, salt, cursors, session files, install id...) of at
 * most `maxBytes` under the rules of {@link openStateFileSync}. The read stops at
 * `maxBytes + 1` bytes whatever the file claims (it may grow meanwhile), so memory and time
 * are bounded by the cap. Never throws.
 */
export function readStateFileSync(path: string, options: ReadStateFileOptions): StateFileRead {
  const opened = openStateFileSync(path, options);
  if (!opened.ok) return opened;
  const { fd, size } = opened;
  try {
    if (size > options.maxBytes) {
      return refuse(
        'too_large',
        `${path} is ${size} bytes, more than the ${options.maxBytes} allowed`,
      );
    }
    const buf = Buffer.alloc(Math.min(size, options.maxBytes) + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got === buf.length) break;
    }
    if (got > options.maxBytes) {
      return refuse('too_large', `${path} is more than the ${options.maxBytes} bytes allowed`);
    }
    if (got === buf.length) return refuse('unreadable', `${path} grew while being read`);
    return { ok: true, data: buf.subarray(0, got) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return refuse('unreadable', `${path} cannot be read (${code ?? String(err)})`);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // nothing more to do
    }
  }
}

/** {@link readStateFileSync} then JSON.parse; undefined when refused, missing or not JSON. */
export function readJsonStateFileSync(path: string, options: ReadStateFileOptions): unknown {
  const read = readStateFileSync(path, options);
  if (!read.ok) return undefined;
  try {
    return JSON.parse(read.data.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
