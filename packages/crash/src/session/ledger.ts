import { closeSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDirSync, isRecord } from '../internal/fs.js';
import { sessionDir, type SessionStateName } from './session-file.js';

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

export function ledgerPath(spoolDir: string): string {
  return join(sessionDir(spoolDir), 'ledger.jsonl');
}

/**
 * Appends one entry with a single write(2) on an O_APPEND descriptor (lines well under
 * PIPE_BUF, so concurrent appenders never interleave) and fsyncs it: the ledger is the source
 * of the crashed/abnormal/exited counts.
 */
export function appendLedgerEntrySync(
  spoolDir: string,
  entry: LedgerEntry,
  options: { fsync?: boolean } = {},
): void {
  ensureDirSync(sessionDir(spoolDir));
  const fd = openSync(ledgerPath(spoolDir), 'a', 0o600);
  try {
    writeSync(fd, JSON.stringify(entry) + '\n');
    // The crash path skips the fsync: the next start rebuilds a lost `crashed` entry from the
    // (fsynced) crash report, and every millisecond there delays the process's exit.
    if (options.fsync !== false) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const TERMINAL = new Set(['exited', 'crashed', 'abnormal']);
const MAX_LEDGER_BYTES = 64 * 1024 * 1024;

/** Reads and folds the ledger. Missing ledger → no sessions. Never throws on bad content. */
export function readSessionLedger(spoolDir: string): SessionLedger {
  let text = '';
  try {
    const path = ledgerPath(spoolDir);
    const st = statSync(path);
    if (st.isFile()) {
      text = readFileSync(path, 'utf8');
      if (text.length > MAX_LEDGER_BYTES) text = text.slice(text.length - MAX_LEDGER_BYTES);
    }
  } catch {
    text = '';
  }
  const byId = new Map<string, LedgerSession>();
  const ends = new Map<string, LedgerEnd>();
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skippedLines++;
      continue;
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
      continue;
    }
    const end = asEnd(value);
    if (end) {
      if (!ends.has(end.id)) ends.set(end.id, end); // first terminal state wins
      continue;
    }
    skippedLines++;
  }
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
