import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import {
  ensureSpoolDirSync,
  ledgerPath,
  openStateFileSync,
  SPOOL_FOLDERS,
  UnsafeSpoolPathError,
} from '@otelspool/exporter-jsonl/write-path';
import { isRecord } from '../internal/is-record.js';
import type { SessionStateName } from './session-file.js';

// The session ledger's format is owned here, by @otelspool/crash: its path comes from the
// spool layout (ledgerPath), but what a line holds, and how lines fold into sessions, is
// decided only in this file. Other packages (the cli's `spool report`, `spool sessions`) read
// the ledger only through readSessionLedger(), never by parsing the file themselves.

/**
 * `<dir>/session/ledger.jsonl`: append-only, one JSON object per line, shared by every process
 * of the spool. A session has one `start` line and at most one effective `end` line: the first
 * `end` for an id wins, so a terminal state, once written, never changes (a later duplicate,
 * e.g. from two processes recovering the same dead session, is ignored).
 */
export type LedgerEntry = LedgerStart | LedgerEnd;

export interface LedgerStart {
  v: 1;
  event: 'start';
  id: string;
  previousId?: string;
  installId: string;
  pid: number;
  startedAt: string;
  serviceName: string;
  serviceVersion?: string;
  hostName: string;
  os: { type: string; version: string };
}

export interface LedgerEnd {
  v: 1;
  event: 'end';
  id: string;
  state: Exclude<SessionStateName, 'running'>;
  endedAt: string;
  exitCode?: number;
  signal?: string;
  crashReportId?: string;
  /** Whether markLaunchCompleted() had been called. */
  launchCompleted?: boolean;
}

/** One session as the ledger tells it. `hostName` is the raw local host name. */
export interface LedgerSession {
  id: string;
  previousId?: string;
  installId: string;
  state: SessionStateName;
  pid: number;
  startedAt: string;
  endedAt?: string;
  exitCode?: number;
  signal?: string;
  crashReportId?: string;
  launchCompleted?: boolean;
  serviceName: string;
  serviceVersion?: string;
  hostName: string;
  os: { type: string; version: string };
}

export interface SessionLedger {
  /** In start order. */
  sessions: LedgerSession[];
  counts: { total: number; exited: number; crashed: number; abnormal: number; running: number };
  /** Distinct install ids (crash-free users = installs without a crashed session). */
  installs: number;
  /** Lines that were not valid ledger entries (torn last line, foreign text): skipped, never fatal. */
  skippedLines: number;
}

/**
 * Opening the ledger to append: never through a symlink (O_NOFOLLOW: a planted
 * `ledger.jsonl -> victim` fails with ELOOP), never blocking (O_NONBLOCK: a FIFO without a
 * reader fails with ENXIO instead of hanging the host), created owner-only.
 */
const APPEND_FLAGS =
  constants.O_WRONLY |
  constants.O_APPEND |
  constants.O_CREAT |
  (constants.O_NOFOLLOW ?? 0) |
  (constants.O_NONBLOCK ?? 0);

/**
 * Appends one entry with a single write(2) on an O_APPEND descriptor (lines well under
 * PIPE_BUF, so concurrent appenders never interleave) and fsyncs it: the ledger is the source
 * of the crashed/abnormal/exited counts. The spool and session dirs are checked first (this
 * user's real, private dirs), and only a regular file is appended to.
 */
export function appendLedgerEntrySync(
  spoolDir: string,
  entry: LedgerEntry,
  options: { fsync?: boolean } = {},
): void {
  ensureSpoolDirSync(spoolDir, SPOOL_FOLDERS.session);
  const path = ledgerPath(spoolDir);
  const fd = openSync(path, APPEND_FLAGS, 0o600);
  try {
    if (!fstatSync(fd).isFile()) throw new UnsafeSpoolPathError(path, 'is not a regular file');
    writeSync(fd, JSON.stringify(entry) + '\n');
    // The crash path skips the fsync: the next start rebuilds a lost `crashed` entry from the
    // (fsynced) crash report, and every millisecond there delays the process's exit.
    if (options.fsync !== false) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const TERMINAL = new Set(['exited', 'crashed', 'abnormal']);
/** Only the ledger's last MAX_LEDGER_BYTES are read (about 200,000 sessions). */
export const MAX_LEDGER_BYTES = 64 * 1024 * 1024;
/** Ledger lines are a few hundred bytes; longer ones are not ours and are skipped unread. */
const MAX_LEDGER_LINE_BYTES = 64 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Calls `onLine` for every line of the ledger's tail: the last MAX_LEDGER_BYTES (the first,
 * partial line of a tail that starts mid-file is dropped), read in 1 MiB chunks from an fd
 * opened under the state-file rules (this user's own 0600 regular file, no symlink, no FIFO).
 * Memory stays at one chunk plus one line whatever the file's size: a 1.5 GB (sparse) ledger
 * costs one 64 MiB scan, not a 1.5 GB read. Lines over MAX_LEDGER_LINE_BYTES are counted, not
 * decoded. Returns the number of such skipped lines; never throws.
 */
function readLedgerTail(path: string, onLine: (line: string) => void): number {
  const opened = openStateFileSync(path, { trusted: true });
  if (!opened.ok) return 0;
  const { fd, size } = opened;
  let skipped = 0;
  try {
    let position = Math.max(0, size - MAX_LEDGER_BYTES);
    // Mid-file start: everything up to the first newline is the rest of a line we did not read.
    let discarding = position > 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let overlong = false;
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    while (position < size) {
      const n = readSync(fd, chunk, 0, Math.min(READ_CHUNK_BYTES, size - position), position);
      if (n === 0) break;
      position += n;
      const view = chunk.subarray(0, n);
      let start = 0;
      for (;;) {
        const nl = view.indexOf(10, start);
        const end = nl === -1 ? n : nl;
        const piece = view.subarray(start, end);
        if (!discarding && !overlong) {
          if (pendingBytes + piece.length > MAX_LEDGER_LINE_BYTES) {
            overlong = true;
            pending = [];
            pendingBytes = 0;
          } else if (piece.length > 0) {
            pending.push(Buffer.from(piece));
            pendingBytes += piece.length;
          }
        }
        if (end === n) break; // the line continues in the next chunk
        if (discarding) discarding = false;
        else if (overlong) skipped++;
        else onLine(Buffer.concat(pending, pendingBytes).toString('utf8'));
        pending = [];
        pendingBytes = 0;
        overlong = false;
        start = end + 1;
        if (start >= n) break;
      }
    }
    // A last line without its newline (torn by a crash mid-append) is still offered.
    if (!discarding && !overlong && pendingBytes > 0) {
      onLine(Buffer.concat(pending, pendingBytes).toString('utf8'));
    } else if (overlong) skipped++;
  } catch {
    // unreadable from here on: what was read stands
  } finally {
    try {
      closeSync(fd);
    } catch {}
  }
  return skipped;
}

/**
 * Reads and folds the ledger (its last MAX_LEDGER_BYTES). Missing, refused (not this user's
 * own 0600 regular file) or unreadable ledger → no sessions. Never throws on bad content.
 */
export function readSessionLedger(spoolDir: string): SessionLedger {
  const byId = new Map<string, LedgerSession>();
  const ends = new Map<string, LedgerEnd>();
  let skippedLines = 0;
  const overlong = readLedgerTail(ledgerPath(spoolDir), (line) => {
    if (line.trim().length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skippedLines++;
      return;
    }
    const start = asStart(value);
    if (start) {
      if (!byId.has(start.id)) {
        byId.set(start.id, {
          id: start.id,
          previousId: start.previousId,
          installId: start.installId,
          state: 'running',
          pid: start.pid,
          startedAt: start.startedAt,
          serviceName: start.serviceName,
          serviceVersion: start.serviceVersion,
          hostName: start.hostName,
          os: start.os,
        });
      }
      return;
    }
    const end = asEnd(value);
    if (end) {
      if (!ends.has(end.id)) ends.set(end.id, end); // first terminal state wins
      return;
    }
    skippedLines++;
  });
  skippedLines += overlong;
  const counts = { total: 0, exited: 0, crashed: 0, abnormal: 0, running: 0 };
  const installs = new Set<string>();
  const sessions: LedgerSession[] = [];
  for (const session of byId.values()) {
    const end = ends.get(session.id);
    if (end) {
      session.state = end.state;
      session.endedAt = end.endedAt;
      if (end.exitCode !== undefined) session.exitCode = end.exitCode;
      if (end.signal !== undefined) session.signal = end.signal;
      if (end.crashReportId !== undefined) session.crashReportId = end.crashReportId;
      if (end.launchCompleted !== undefined) session.launchCompleted = end.launchCompleted;
    }
    counts.total++;
    counts[session.state]++;
    if (session.installId) installs.add(session.installId);
    sessions.push(session);
  }
  return { sessions, counts, installs: installs.size, skippedLines };
}

function asStart(value: unknown): LedgerStart | undefined {
  if (!isRecord(value) || value.event !== 'start') return undefined;
  if (
    typeof value.id !== 'string' ||
    typeof value.pid !== 'number' ||
    typeof value.startedAt !== 'string'
  ) {
    return undefined;
  }
  const os = isRecord(value.os) ? value.os : {};
  return {
    v: 1,
    event: 'start',
    id: value.id,
    previousId: typeof value.previousId === 'string' ? value.previousId : undefined,
    installId: typeof value.installId === 'string' ? value.installId : '',
    pid: value.pid,
    startedAt: value.startedAt,
    serviceName: typeof value.serviceName === 'string' ? value.serviceName : 'unknown_service',
    serviceVersion: typeof value.serviceVersion === 'string' ? value.serviceVersion : undefined,
    hostName: typeof value.hostName === 'string' ? value.hostName : '',
    os: { type: String(os.type ?? ''), version: String(os.version ?? '') },
  };
}

function asEnd(value: unknown): LedgerEnd | undefined {
  if (!isRecord(value) || value.event !== 'end') return undefined;
  if (typeof value.id !== 'string' || typeof value.state !== 'string' || !TERMINAL.has(value.state))
    return undefined;
  return {
    v: 1,
    event: 'end',
    id: value.id,
    state: value.state as LedgerEnd['state'],
    endedAt: typeof value.endedAt === 'string' ? value.endedAt : '',
    exitCode: typeof value.exitCode === 'number' ? value.exitCode : undefined,
    signal: typeof value.signal === 'string' ? value.signal : undefined,
    crashReportId: typeof value.crashReportId === 'string' ? value.crashReportId : undefined,
    launchCompleted: typeof value.launchCompleted === 'boolean' ? value.launchCompleted : undefined,
  };
}
