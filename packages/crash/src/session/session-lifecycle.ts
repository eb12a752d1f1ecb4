import type { CrashReport } from '../report/crash-report.js';
import type { BreadcrumbRing } from './breadcrumbs.js';
import { appendLedgerEntrySync } from './ledger.js';
import { crashSummaryOf } from './recover.js';
import { writeSessionFileSync, type SessionFile } from './session-file.js';
import { ThrottledSessionWriter } from './throttled-writer.js';

const MAX_APP_STATE_BYTES = 64 * 1024;

/** How a session ended without a crash: an exit code, a terminating signal, or neither (endSession()). */
export interface SessionExit {
  exitCode?: number;
  signal?: string;
}

/**
 * The current session on disk, from its start to its end: `last_session.json` (rewritten on
 * changes, throttled, and by a heartbeat) and the ledger's `start` and `end` lines. Every
 * write is synchronous and swallows its errors: an unwritable spool must never throw into the
 * app, and the crash path calls these while the process dies.
 */
export class SessionLifecycle {
  private readonly writer: ThrottledSessionWriter;

  constructor(
    private readonly dir: string,
    /** The session as it is now; changed in place, then written. */
    readonly file: SessionFile,
    private readonly breadcrumbs: BreadcrumbRing,
    heartbeatMs: number,
  ) {
    this.writer = new ThrottledSessionWriter(
      () => this.writeNow(),
      heartbeatMs,
      () => {
        this.file.updatedAt = new Date().toISOString();
      },
    );
  }

  /** Writes the new session file and the ledger's `start` line (fsynced: the ledger counts sessions). */
  begin(): void {
    this.writeNow();
    const s = this.file;
    try {
      appendLedgerEntrySync(this.dir, {
        v: 1,
        event: 'start',
        id: s.id,
        previousId: s.previousId,
        installId: s.installId,
        pid: s.pid,
        startedAt: s.startedAt,
        serviceName: s.serviceName,
        serviceVersion: s.serviceVersion,
        hostName: s.hostName,
        os: s.os,
      });
    } catch {}
  }

  /** Starts the heartbeat (after install, so that a failing install never leaves a timer). */
  startHeartbeat(): void {
    this.writer.start();
  }

  stopHeartbeat(): void {
    this.writer.stop();
  }

  /** Something in the session changed (a breadcrumb): written soon, throttled. */
  changed(): void {
    this.writer.schedule();
  }

  /** Keeps a JSON copy of `state` (at most 64 KiB); false, and nothing kept, when it is not JSON. */
  setAppState(state: unknown): boolean {
    let snapshot: unknown;
    try {
      const json = JSON.stringify(state ?? null);
      if (json === undefined || Buffer.byteLength(json) > MAX_APP_STATE_BYTES) return false;
      snapshot = JSON.parse(json);
    } catch {
      return false; // cycles, BigInt, throwing toJSON
    }
    this.file.appState = snapshot;
    this.writer.schedule();
    return true;
  }

  markLaunchCompleted(): void {
    if (this.file.launchCompleted) return;
    this.file.launchCompleted = true;
    this.file.launchCompletedAt = new Date().toISOString();
    this.breadcrumbs.add({ category: 'app', message: 'launch completed', level: 'info' });
    // Written at once: a crash right after launch must not be counted as a launch crash.
    this.writeNow();
  }

  /**
   * The crash path, right after the report is on disk: the session ends `crashed`. The ledger
   * line skips its fsync: the next start rebuilds a lost one from the (fsynced) crash report.
   */
  endCrashed(report: CrashReport): void {
    if (this.file.state === 'running') {
      this.file.state = 'crashed';
      this.file.endedAt = report.time;
      this.file.crash = crashSummaryOf(report);
      this.writeNow();
      try {
        appendLedgerEntrySync(
          this.dir,
          {
            v: 1,
            event: 'end',
            id: this.file.id,
            state: 'crashed',
            endedAt: report.time,
            crashReportId: report.id,
            launchCompleted: this.file.launchCompleted,
          },
          { fsync: false },
        );
      } catch {}
    }
    this.writer.stop();
  }

  /** Ends a running session as `exited`; returns false (and writes nothing) when it had already ended. */
  endExited(end: SessionExit): boolean {
    if (this.file.state !== 'running') return false;
    const endedAt = new Date().toISOString();
    this.file.state = 'exited';
    this.file.endedAt = endedAt;
    if (end.exitCode !== undefined) this.file.exitCode = end.exitCode;
    if (end.signal !== undefined) this.file.signal = end.signal;
    this.writer.stop();
    this.writeNow();
    try {
      appendLedgerEntrySync(this.dir, {
        v: 1,
        event: 'end',
        id: this.file.id,
        state: 'exited',
        endedAt,
        exitCode: end.exitCode,
        signal: end.signal,
        launchCompleted: this.file.launchCompleted,
      });
    } catch {}
    return true;
  }

  private writeNow(): void {
    try {
      this.file.breadcrumbs = this.breadcrumbs.toArray();
      writeSessionFileSync(this.dir, this.file);
    } catch {}
  }
}
