import { processIsAlive } from '@otelspool/exporter-jsonl/write-path';
import {
  readSessionFileSync,
  type CrashSummary,
  type SessionFile,
  type SessionStateName,
} from './session-file.js';

/** What happened to the previous run: the basis for starting in a safe mode after a crash loop. */
export interface LastRunInfo {
  /** The previous session died of a crash that left a crash report (JS error or native fatal error). */
  crashed: boolean;
  /** The previous session ended without a clean exit and without a crash report (SIGKILL, power loss, segfault). */
  abnormal: boolean;
  /** It crashed or ended abnormally before markLaunchCompleted() was called. */
  crashedDuringLaunch: boolean;
  /** Launch crashes in a row up to and including the previous run (0 when it launched fine). */
  consecutiveLaunchCrashes: number;
  lastCrash: CrashSummary | null;
  /** The app state the previous run last stored with setSessionState(), or null. */
  state: unknown;
  previousSession: {
    id: string;
    state: SessionStateName;
    startedAt: string;
    endedAt?: string;
    exitCode?: number;
    signal?: string;
    serviceVersion?: string;
    launchCompleted: boolean;
  } | null;
}

export const NO_PREVIOUS_RUN: LastRunInfo = Object.freeze({
  crashed: false,
  abnormal: false,
  crashedDuringLaunch: false,
  consecutiveLaunchCrashes: 0,
  lastCrash: null,
  state: null,
  previousSession: null,
}) as LastRunInfo;

/** LastRunInfo of a (finished) previous session. */
export function lastRunInfoOf(previous: SessionFile | undefined): LastRunInfo {
  if (!previous) return { ...NO_PREVIOUS_RUN };
  const crashed = previous.state === 'crashed';
  const abnormal = previous.state === 'abnormal';
  const crashedDuringLaunch = (crashed || abnormal) && !previous.launchCompleted;
  return {
    crashed,
    abnormal,
    crashedDuringLaunch,
    consecutiveLaunchCrashes: crashedDuringLaunch ? previous.consecutiveLaunchCrashes + 1 : 0,
    lastCrash: crashed ? (previous.crash ?? null) : null,
    state: previous.appState ?? null,
    previousSession: {
      id: previous.id,
      state: previous.state,
      startedAt: previous.startedAt,
      endedAt: previous.endedAt,
      exitCode: previous.exitCode,
      signal: previous.signal,
      serviceVersion: previous.serviceVersion,
      launchCompleted: previous.launchCompleted,
    },
  };
}

/**
 * Read-only view for a process that has not installed the handler (a launcher, the CLI): the
 * session in last_session.json as it stands. A `running` session whose process is gone is
 * reported as abnormal (or crashed when its report exists — that is decided for good, and
 * written to the ledger, by the next installCrashHandler()); a live one has no outcome yet.
 */
export function readLastRunInfo(
  spoolDir: string,
  hasCrashReport: (sessionId: string) => boolean,
): LastRunInfo {
  const session = readSessionFileSync(spoolDir);
  if (!session) return { ...NO_PREVIOUS_RUN };
  if (session.state !== 'running') return lastRunInfoOf(session);
  if (processIsAlive(session.pid)) return { ...NO_PREVIOUS_RUN };
  return lastRunInfoOf({ ...session, state: hasCrashReport(session.id) ? 'crashed' : 'abnormal' });
}
