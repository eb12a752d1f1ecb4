import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { CrashHandler } from './crash-handler.js';
import type { CrashHandle, CrashHandlerOptions } from './options.js';
import { watchChild } from './capture/child-processes.js';
import type { Breadcrumb } from './session/breadcrumbs.js';
import { NO_PREVIOUS_RUN, readLastRunInfo, type LastRunInfo } from './session/last-run-info.js';
import { listCrashReports } from './readers/crash-reports.js';

let current: CrashHandler | undefined;

/**
 * Installs crash capture, crash reports and session tracking for this process. One handler per
 * process: a second call while one is installed returns the installed handle unchanged.
 */
export function installCrashHandler(options: CrashHandlerOptions): CrashHandle {
  if (current) return current;
  const handler = new CrashHandler(options);
  current = handler;
  const uninstall = handler.uninstall.bind(handler);
  handler.uninstall = () => {
    uninstall();
    if (current === handler) current = undefined;
  };
  return handler;
}

/**
 * What happened to the previous run. With a handler installed: the snapshot taken at install.
 * Without one: read from `<dir>/session/last_session.json` (no state is changed).
 */
export function getLastRunInfo(options: { dir?: string } = {}): LastRunInfo {
  if (current && (!options.dir || resolve(options.dir) === current.dir))
    return current.getLastRunInfo();
  if (!options.dir) return { ...NO_PREVIOUS_RUN };
  const dir = options.dir;
  return readLastRunInfo(dir, (sessionId) =>
    listCrashReports(dir).some((r) => r.session.id === sessionId),
  );
}

/** Delegates to the installed handler; a no-op without one. */
export function markLaunchCompleted(): void {
  current?.markLaunchCompleted();
}

/** Delegates to the installed handler; false without one. */
export function setSessionState(state: unknown): boolean {
  return current ? current.setSessionState(state) : false;
}

/** Delegates to the installed handler; a no-op without one. */
export function addBreadcrumb(breadcrumb: Breadcrumb): void {
  current?.addBreadcrumb(breadcrumb);
}

/** The installed handle, if any (the SDK uses it to avoid installing twice). */
export function getCrashHandle(): CrashHandle | undefined {
  return current;
}

/**
 * Records how `child` ends (death by a signal it was not sent by us → breadcrumb + ERROR event).
 * Children spawned through node:child_process are watched automatically while a handler is
 * installed; call this for children created some other way or before install. Without an
 * installed handler at the child's exit, nothing is recorded.
 */
export function watchChildProcess(child: ChildProcess): ChildProcess {
  watchChild(child, {
    onBreadcrumb: (b) => current?.addBreadcrumb(b),
    onEvent: (name, severityNumber, body, attributes) =>
      current?.emitEvent(name, severityNumber, body, attributes),
  });
  return child;
}
