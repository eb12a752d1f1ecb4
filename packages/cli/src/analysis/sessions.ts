import { readSessionLedger, type LedgerSession } from '@otelspool/crash';
import type { RecordFilter } from './record-filter.js';
import type { SessionsSummary } from './types.js';

/** Sessions of the ledger that ran inside the filter window (started or still going after it). */
export function sessionsInWindow(dir: string, filter: RecordFilter): LedgerSession[] {
  return readSessionLedger(dir).sessions.filter((s) => {
    if (filter.service !== undefined && s.serviceName !== filter.service) return false;
    if (filter.sinceUnixMs === undefined) return true;
    const end = s.endedAt ? Date.parse(s.endedAt) : Infinity;
    const start = Date.parse(s.startedAt);
    return (Number.isFinite(start) && start >= filter.sinceUnixMs) || !(end < filter.sinceUnixMs);
  });
}

/**
 * Release health the way Sentry defines it: a crash-free session did not end in a crash;
 * abnormal sessions (killed, no crash report) are shown apart and not counted as crashes.
 * Crash-free users: installs none of whose sessions crashed.
 */
export function summarizeSessions(sessions: readonly LedgerSession[]): SessionsSummary {
  const counts = { exited: 0, crashed: 0, abnormal: 0, running: 0 };
  const users = new Set<string>();
  const crashedUsers = new Set<string>();
  for (const s of sessions) {
    counts[s.state]++;
    const user = s.installId || `session:${s.id}`;
    users.add(user);
    if (s.state === 'crashed') crashedUsers.add(user);
  }
  const total = sessions.length;
  return {
    total,
    ...counts,
    crashFreeSessionRate: total > 0 ? (total - counts.crashed) / total : null,
    users: users.size,
    crashFreeUsers: users.size - crashedUsers.size,
    crashFreeUserRate: users.size > 0 ? (users.size - crashedUsers.size) / users.size : null,
  };
}
