import { groupCrashReports, listCrashReports, type CrashReport } from '@otelspool/crash';
import { BoundedCounter } from './bounded-counter.js';
import type { RecordFilter } from './record-filter.js';
import type { CrashesSummary } from './types.js';

/** Crash reports of `<dir>/crashes/` inside the filter window, oldest first. */
export function crashReportsInWindow(dir: string, filter: RecordFilter): CrashReport[] {
  return listCrashReports(dir).filter((r) => {
    if (filter.service !== undefined && r.resource['service.name'] !== filter.service) return false;
    return filter.sinceUnixMs === undefined || Date.parse(r.time) >= filter.sinceUnixMs;
  });
}

export function summarizeCrashes(reports: readonly CrashReport[], top = 20): CrashesSummary {
  const byHost = new BoundedCounter();
  const byVersion = new BoundedCounter();
  for (const r of reports) {
    byHost.add(scalar(r.resource['host.name']));
    byVersion.add(scalar(r.resource['service.version']));
  }
  const groups = groupCrashReports(reports);
  return {
    total: reports.length,
    groups: groups.length,
    byHost: byHost.top(top),
    byVersion: byVersion.top(top),
    topGroups: groups.slice(0, top).map((g) => ({
      id: g.id,
      type: g.type,
      message: g.message,
      count: g.count,
      sessions: g.sessions.length,
      users: g.installs.length,
      hosts: g.hosts,
      versions: g.versions,
      firstSeen: g.firstSeen,
      lastSeen: g.lastSeen,
      ...(g.topFrame !== undefined ? { topFrame: g.topFrame } : {}),
    })),
  };
}

function scalar(value: string | number | boolean | undefined): string {
  return value === undefined || value === '' ? '(unknown)' : String(value);
}
