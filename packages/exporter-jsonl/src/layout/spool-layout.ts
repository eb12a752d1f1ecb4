import { join } from 'node:path';
import type { Signal } from '../otlp/types.js';

// The one owner of the spool's layout (TELEMETRY_GUIDE.md, "Every file in the spool"): every folder
// and file name below a spool dir, and the functions that build their paths. Every package
// builds spool paths through these, never from string literals, so a newcomer reads the whole
// layout here and a rename happens in one place.
//
//   <spool>/traces|metrics|logs/<segment>.jsonl[.gz]   OTLP-JSON lines (layout/segment-name.ts)
//   <spool>/quarantine/<signal>/…                      lines the reader could not accept
//   <spool>/crashes/<id>.json                          crash reports (@otelspool/crash)
//   <spool>/session/last_session.json|ledger.jsonl|install_id   session state (@otelspool/crash)
//   <spool>/sync/<destination>.json                    sync cursors (layout/sync-cursor.ts)
//   <spool>/sync/.lock                                 one `spool sync` at a time
//   <spool>/dead-letter/<utc>_<signal>_<rand>.json     batches a server rejected for good
//   <spool>/consent.json                               the user's decision (@otelspool/collector)
//   <spool>/metrics_snapshot.json                      last cumulative metric values (@otelspool/sdk)
//   <spool>/import/imported.json                       what `spool import` already took in
//   <spool>/index/spool.sqlite                         the derived SQLite index (`spool index`, `spool sql`)

/** Folder names directly below a spool dir (besides one folder per signal). */
export const SPOOL_FOLDERS = Object.freeze({
  quarantine: 'quarantine',
  crashes: 'crashes',
  session: 'session',
  sync: 'sync',
  deadLetter: 'dead-letter',
  import: 'import',
  index: 'index',
} as const);

/** File names directly below a spool dir, or inside one of its folders. */
export const SPOOL_FILES = Object.freeze({
  consent: 'consent.json',
  metricsSnapshot: 'metrics_snapshot.json',
  imported: 'imported.json',
  lastSession: 'last_session.json',
  ledger: 'ledger.jsonl',
  installId: 'install_id',
  syncLock: '.lock',
  indexDb: 'spool.sqlite',
} as const);

/** Entries whose presence marks a folder as a spool (for discovery under the spool root). */
export const SPOOL_MARKERS: readonly string[] = Object.freeze([
  'traces',
  'metrics',
  'logs',
  SPOOL_FOLDERS.crashes,
  SPOOL_FOLDERS.session,
  SPOOL_FILES.consent,
  SPOOL_FILES.metricsSnapshot,
]);

/**
 * Everything recorded (what `spool consent deny --purge` removes); never consent.json itself,
 * which records the decision to purge.
 */
export const RECORDED_ENTRIES: readonly string[] = Object.freeze([
  'traces',
  'metrics',
  'logs',
  SPOOL_FOLDERS.crashes,
  SPOOL_FOLDERS.session,
  SPOOL_FOLDERS.quarantine,
  SPOOL_FOLDERS.deadLetter,
  SPOOL_FOLDERS.sync,
  SPOOL_FOLDERS.index, // a derived copy of the telemetry: purged with it
  // what `spool import` took in (content hashes): purged too, or a re-import after the purge
  // would skip the files whose records it just deleted
  SPOOL_FOLDERS.import,
  SPOOL_FILES.metricsSnapshot,
]);

/** `<spool>/<signal>`: the segments of one signal. */
export function signalDir(spoolDir: string, signal: Signal): string {
  return join(spoolDir, signal);
}

export function quarantineDir(spoolDir: string, signal?: Signal): string {
  return signal
    ? join(spoolDir, SPOOL_FOLDERS.quarantine, signal)
    : join(spoolDir, SPOOL_FOLDERS.quarantine);
}

export function crashesDir(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.crashes);
}

/** `crash_report_<utc>_<id>.json` in crashes/: the UTC time first, so a name sort is a time sort. */
export const CRASH_REPORT_NAME = /^crash_report_(\d{8}T\d{9}Z)_([0-9a-f]{8,64})\.json$/;

/** The file name of a crash report taken at `time` (an ISO 8601 UTC string) with this id. */
export function crashReportFileName(time: string, id: string): string {
  return `crash_report_${compactIsoTime(time)}_${id}.json`;
}

/** 2026-11-24T09:24:21.123Z → 20261124T092421123Z (lexical order = time order). */
export function compactIsoTime(iso: string): string {
  return iso.replace(/[-:.]/g, '');
}

export function sessionDir(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.session);
}

export function lastSessionPath(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.session, SPOOL_FILES.lastSession);
}

export function ledgerPath(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.session, SPOOL_FILES.ledger);
}

export function installIdPath(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.session, SPOOL_FILES.installId);
}

export function syncDir(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.sync);
}

/** `<spool>/sync/<destination>.json`; `destination` is already a safe single path component. */
export function cursorPath(spoolDir: string, destination: string): string {
  return join(spoolDir, SPOOL_FOLDERS.sync, `${destination}.json`);
}

/** `<spool>/sync/.lock`: held (O_EXCL, our pid) by the one `spool sync` running on the spool. */
export function syncLockPath(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.sync, SPOOL_FILES.syncLock);
}

export function deadLetterDir(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.deadLetter);
}

export function consentPath(spoolDir: string): string {
  return join(spoolDir, SPOOL_FILES.consent);
}

export function metricsSnapshotPath(spoolDir: string): string {
  return join(spoolDir, SPOOL_FILES.metricsSnapshot);
}

export function importDir(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.import);
}

export function importedStatePath(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.import, SPOOL_FILES.imported);
}

/**
 * `<spool>/index/spool.sqlite`: the SQLite index of the spool (`spool index`). Derived from the
 * segments, crash reports and ledger, rebuildable, safe to delete at any time; beside the byte
 * cap, not counted in it.
 */
export function indexDbPath(spoolDir: string): string {
  return join(spoolDir, SPOOL_FOLDERS.index, SPOOL_FILES.indexDb);
}
