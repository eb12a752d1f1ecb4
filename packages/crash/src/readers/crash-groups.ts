import type { CrashReport } from '../report/crash-report.js';
import { listCrashReports, type ListCrashReportsOptions } from './crash-reports.js';

/** Crash reports that share a signature: one bug, however many times and places it struck. */
export interface CrashGroup {
  /** The signature hash (16 hex chars). */
  id: string;
  signatureVersion: number;
  type: string;
  /** Message of the most recent occurrence. */
  message: string;
  origin: string;
  count: number;
  /** Distinct session ids, in order of first occurrence. */
  sessions: string[];
  /** Distinct installs affected (crash-free users). */
  installs: string[];
  /** Distinct host.name values (raw local names). */
  hosts: string[];
  /** Distinct service.version values. */
  versions: string[];
  /** ISO-8601 UTC. */
  firstSeen: string;
  lastSeen: string;
  /** Report ids, oldest first. */
  reportIds: string[];
  /** In-app frame of the latest occurrence that the group is named after, e.g. `loadPlugin (~/app/src/plugins.js:12)`. */
  topFrame?: string;
}

function pushUnique(list: string[], value: unknown): void {
  if (typeof value === 'string' && value.length > 0 && !list.includes(value)) list.push(value);
}

function topFrameOf(report: CrashReport): string | undefined {
  const frame = report.error.frames.find((f) => f.inApp) ?? report.error.frames[0];
  if (!frame) return undefined;
  const where = frame.file
    ? `${frame.file}${frame.line !== undefined ? `:${frame.line}` : ''}`
    : '';
  return frame.function ? `${frame.function}${where ? ` (${where})` : ''}` : where || frame.raw;
}

/** Folds crash reports into groups (dedupe across restarts), most recently seen first. */
export function groupCrashReports(reports: readonly CrashReport[]): CrashGroup[] {
  const groups = new Map<string, CrashGroup>();
  const ordered = [...reports].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  for (const report of ordered) {
    const key = `${report.signature.version}:${report.signature.id}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        id: report.signature.id,
        signatureVersion: report.signature.version,
        type: report.error.type,
        message: report.error.message,
        origin: report.origin,
        count: 0,
        sessions: [],
        installs: [],
        hosts: [],
        versions: [],
        firstSeen: report.time,
        lastSeen: report.time,
        reportIds: [],
      };
      groups.set(key, group);
    }
    group.count++;
    group.lastSeen = report.time;
    group.message = report.error.message;
    group.type = report.error.type;
    group.topFrame = topFrameOf(report);
    group.reportIds.push(report.id);
    pushUnique(group.sessions, report.session.id);
    pushUnique(group.installs, report.session.installId);
    pushUnique(group.hosts, report.resource['host.name']);
    pushUnique(group.versions, report.resource['service.version']);
  }
  return [...groups.values()].sort((a, b) =>
    a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0,
  );
}

/** Crash groups of a spool directory, most recently seen first. */
export function listCrashGroups(
  spoolDir: string,
  options: ListCrashReportsOptions = {},
): CrashGroup[] {
  return groupCrashReports(listCrashReports(spoolDir, options));
}
