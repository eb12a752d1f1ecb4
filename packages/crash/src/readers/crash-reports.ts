import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CRASH_REPORT_NAME,
  crashesDir,
  readJsonStateFileSync,
} from '@otelspool/exporter-jsonl/write-path';
import type { CrashReport } from '../report/crash-report.js';
import { validateCrashReport } from './validate-crash-report.js';

export interface ListCrashReportsOptions {
  /** Called for each file in crashes/ that looks like a crash report but cannot be read or is invalid. */
  onInvalid?: (file: string, reason: string) => void;
}

const MAX_REPORT_BYTES = 8 * 1024 * 1024;

/** The crash report file names in `<spoolDir>/crashes/`, sorted (the order listCrashReports reads them in). */
export function listCrashReportFiles(spoolDir: string): string[] {
  try {
    return readdirSync(crashesDir(spoolDir))
      .filter((name) => CRASH_REPORT_NAME.test(name))
      .sort();
  } catch {
    return [];
  }
}

/** Every crash report of the spool, oldest first. Unreadable files are skipped (reported through onInvalid). */
export function listCrashReports(
  spoolDir: string,
  options: ListCrashReportsOptions = {},
): CrashReport[] {
  const out: CrashReport[] = [];
  for (const name of listCrashReportFiles(spoolDir)) {
    const report = readCrashReportFile(spoolDir, name, options);
    if (report !== undefined) out.push(report);
  }
  out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return out;
}

/**
 * The crash report in `<spoolDir>/crashes/<name>`, validated; undefined (reported through
 * onInvalid) when it cannot be read or is not a valid report.
 */
export function readCrashReportFile(
  spoolDir: string,
  name: string,
  options: ListCrashReportsOptions = {},
): CrashReport | undefined {
  const file = join(crashesDir(spoolDir), name);
  const value = readJsonStateFileSync(file, { maxBytes: MAX_REPORT_BYTES });
  if (value === undefined) {
    options.onInvalid?.(file, 'unreadable, larger than 8 MiB or not JSON');
    return undefined;
  }
  const checked = validateCrashReport(value);
  if (!checked.ok) {
    options.onInvalid?.(file, checked.reason);
    return undefined;
  }
  return checked.report;
}

/**
 * One crash report by its id or a unique prefix of it (at least 4 characters). Undefined when
 * none matches; throws an Error naming the candidates when a prefix is ambiguous.
 */
export function readCrashReport(spoolDir: string, id: string): CrashReport | undefined {
  const wanted = id.trim().toLowerCase();
  if (wanted.length === 0) return undefined;
  const matches: string[] = [];
  for (const name of listCrashReportFiles(spoolDir)) {
    const m = CRASH_REPORT_NAME.exec(name);
    const reportId = m?.[2];
    if (!reportId) continue;
    if (reportId === wanted) return readOne(spoolDir, name);
    if (wanted.length >= 4 && reportId.startsWith(wanted)) matches.push(name);
  }
  if (matches.length === 0) return undefined;
  if (matches.length > 1) {
    const ids = matches.map((n) => CRASH_REPORT_NAME.exec(n)?.[2]).join(', ');
    throw new Error(`crash report id prefix '${id}' is ambiguous: ${ids}`);
  }
  return readOne(spoolDir, matches[0] as string);
}

function readOne(spoolDir: string, name: string): CrashReport | undefined {
  const value = readJsonStateFileSync(join(crashesDir(spoolDir), name), {
    maxBytes: MAX_REPORT_BYTES,
  });
  const checked = validateCrashReport(value);
  return checked.ok ? checked.report : undefined;
}
