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

/**
 * What grouping needs of one crash report: small and JSON-safe, so a spool index can keep it
 * and group without re-reading the report (`spool crashes` over thousands of reports).
 */
export interface CrashFacts {
  id: string;
  /** ISO-8601 UTC. */
  time: string;
  signatureId: string;
  signatureVersion: number;
  type: string;
  message: string;
  origin: string;
  topFrame?: string;
  sessionId: string;
  installId: string;
  /** The resource's host.name and service.version as written (any scalar). */
  host?: string | number | boolean;
  version?: string | number | boolean;
}

/** The facts of one report that groupCrashFacts folds. */
export function crashFacts(report: CrashReport): CrashFacts {
  const facts: CrashFacts = {
    id: report.id,
    time: report.time,
    signatureId: report.signature.id,
    signatureVersion: report.signature.version,
    type: report.error.type,
    message: report.error.message,
    origin: report.origin,
    sessionId: report.session.id,
    installId: report.session.installId,
  };
  const topFrame = topFrameOf(report);
  if (topFrame !== undefined) facts.topFrame = topFrame;
  const host = report.resource['host.name'];
  if (host !== undefined) facts.host = host;
  const version = report.resource['service.version'];
  if (version !== undefined) facts.version = version;
  return facts;
}

/** Folds crash reports into groups (dedupe across restarts), most recently seen first. */
export function groupCrashReports(reports: readonly CrashReport[]): CrashGroup[] {
  return groupCrashFacts(reports.map(crashFacts));
}

/**
 * Folds the facts of crash reports into groups, most recently seen first; reports of the same
 * time keep their order in `facts` (listCrashReports: by file name).
 */
export function groupCrashFacts(facts: readonly CrashFacts[]): CrashGroup[] {
  const groups = new Map<string, CrashGroup>();
  const ordered = [...facts].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  for (const report of ordered) {
    const key = `${report.signatureVersion}:${report.signatureId}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        id: report.signatureId,
        signatureVersion: report.signatureVersion,
        type: report.type,
        message: report.message,
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
    group.message = report.message;
    group.type = report.type;
    group.topFrame = report.topFrame;
    group.reportIds.push(report.id);
    pushUnique(group.sessions, report.sessionId);
    pushUnique(group.installs, report.installId);
    pushUnique(group.hosts, report.host);
    pushUnique(group.versions, report.version);
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
