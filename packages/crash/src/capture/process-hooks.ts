import dc from 'node:diagnostics_channel';
import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import type { CrashOrigin } from '../report/crash-report.js';
import { rejectionIsFatal, unhandledRejectionsMode } from './rejection-mode.js';
import { watchChild, type ChildWatchTarget } from './child-processes.js';

/** What the hooks report to (the crash handler); breadcrumbs and events as for watched children. */
export interface ProcessHookTarget extends ChildWatchTarget {
  onFatal(error: unknown, origin: CrashOrigin, worker?: { threadId: number }): void;
  onNonFatal(
    error: unknown,
    origin: string,
    extra?: Record<string, string | number | boolean>,
  ): void;
  onExit(code: number): void;
  /** SIGINT/SIGTERM with no other listener: end the session and flush before the signal is re-raised. */
  onTerminatingSignal(signal: NodeJS.Signals): void;
  watchWorkers: boolean;
  watchChildProcesses: boolean;
  handleSignals: boolean;
  rejectionGraceMs: number;
}

export interface ProcessHooks {
  remove(): void;
  /** Watches one child process (also used by the module-level watchChildProcess()). */
  watchChild(child: ChildProcess): void;
}

const UNHANDLED_WARNING_PREFIX = 'Unhandled promise rejection. This error originated';
const MAX_PENDING_REJECTIONS = 100;

/** Whether an uncaught exception will take the process down (nobody else handles it). */
function exceptionIsFatal(): boolean {
  if (process.listenerCount('uncaughtException') > 0) return false;
  try {
    if (process.hasUncaughtExceptionCaptureCallback()) return false;
  } catch {}
  return true;
}

/**
 * Installs every process-level hook. The rule throughout: observe, never change what Node does.
 * - Uncaught errors: `uncaughtExceptionMonitor`, which runs before Node's own handling and
 *   changes nothing. With the `throw` and `strict` rejection modes, unhandled rejections also
 *   arrive here (origin 'unhandledRejection'); an 'unhandledRejection' listener would suppress
 *   the crash in `throw` mode, so none is added in those modes.
 * - `warn` / `none`: an 'unhandledRejection' listener is harmless (Node warns regardless in
 *   `warn`, is silent in `none`); records wait `rejectionGraceMs` and are retracted when
 *   'rejectionHandled' arrives first.
 * - `warn-with-error-code`: a listener would mark the rejection handled and cancel the exit code
 *   1, so rejections are observed through the 'warning' event Node emits for them.
 * - Workers: the 'worker' event hooks every new Worker. An 'error' listener on a Worker would
 *   stop the error from crashing the parent, so when ours is the only listener it records the
 *   error and re-throws it: the parent dies exactly as it would have.
 * - SIGINT/SIGTERM: only when ours is the only listener at delivery, the session is ended and
 *   flushed, our listener removed and the same signal re-sent, so the exit status is the
 *   signal's (130/143 in a shell) as without us.
 */
export function installProcessHooks(target: ProcessHookTarget): ProcessHooks {
  const removers: (() => void)[] = [];
  const on = (event: string, listener: (...args: never[]) => void): void => {
    process.on(event as 'exit', listener as () => void);
    removers.push(() => process.removeListener(event as 'exit', listener as () => void));
  };

  // --- uncaught exceptions (and rejections in throw/strict modes) ---
  let pendingWorkerError: { error: unknown; threadId: number } | undefined;
  const monitor = (error: unknown, origin: string): void => {
    const fromWorker =
      pendingWorkerError && pendingWorkerError.error === error ? pendingWorkerError : undefined;
    pendingWorkerError = undefined;
    const crashOrigin: CrashOrigin = fromWorker
      ? 'worker'
      : origin === 'unhandledRejection'
        ? 'unhandledRejection'
        : 'uncaughtException';
    if (exceptionIsFatal()) {
      target.onFatal(
        error,
        crashOrigin,
        fromWorker ? { threadId: fromWorker.threadId } : undefined,
      );
    } else {
      target.onNonFatal(error, crashOrigin);
    }
  };
  on('uncaughtExceptionMonitor', monitor);

  // --- unhandled rejections in the non-fatal modes ---
  const mode = unhandledRejectionsMode();
  const pending = new Map<Promise<unknown>, NodeJS.Timeout>();
  if (!rejectionIsFatal(mode)) {
    if (mode === 'warn-with-error-code') {
      on('warning', (warning: Error) => {
        if (
          warning?.name === 'UnhandledPromiseRejectionWarning' &&
          !String(warning.message).startsWith(UNHANDLED_WARNING_PREFIX)
        ) {
          target.onNonFatal(errorFromWarning(warning), 'unhandledRejection', {
            'otelspool.rejection.mode': mode,
          });
        } else if (warning?.name === 'PromiseRejectionHandledWarning') {
          target.onBreadcrumb({
            category: 'unhandledRejection',
            message: 'a rejection was handled late',
            level: 'info',
          });
        }
      });
    } else {
      on('unhandledRejection', (reason: unknown, promise: Promise<unknown>) => {
        target.onBreadcrumb({
          category: 'unhandledRejection',
          message: describeReason(reason),
          level: 'warning',
        });
        if (pending.size >= MAX_PENDING_REJECTIONS) {
          target.onNonFatal(reason, 'unhandledRejection', { 'otelspool.rejection.mode': mode });
          return;
        }
        const timer = setTimeout(() => {
          pending.delete(promise);
          target.onNonFatal(reason, 'unhandledRejection', { 'otelspool.rejection.mode': mode });
        }, target.rejectionGraceMs);
        timer.unref();
        // Keep the reason reachable for the exit path without holding the promise after it settles.
        (timer as unknown as { reason: unknown }).reason = reason;
        pending.set(promise, timer);
      });
      const onHandled = (promise: Promise<unknown>): void => {
        const timer = pending.get(promise);
        if (timer) {
          clearTimeout(timer);
          pending.delete(promise);
          target.onBreadcrumb({
            category: 'unhandledRejection',
            message: 'rejection handled late: retracted',
            level: 'info',
          });
        }
        // Our listener made Node skip its PromiseRejectionHandledWarning; give it back when
        // nobody else listens (the rejection id is internal to Node and cannot be repeated).
        if (process.listenerCount('rejectionHandled') === 1) {
          process.emitWarning(
            'Promise rejection was handled asynchronously',
            'PromiseRejectionHandledWarning',
          );
        }
      };
      on('rejectionHandled', onHandled);
    }
  }

  // --- workers ---
  if (target.watchWorkers) {
    on('worker', (worker: Worker) => {
      const threadId = worker.threadId;
      worker.on('error', function onWorkerError(error: unknown) {
        if (worker.listenerCount('error') === 1) {
          // Without us this 'error' event would have had no listener and thrown in the parent.
          pendingWorkerError = { error, threadId };
          throw error;
        }
        target.onNonFatal(error, 'worker', { 'thread.id': threadId });
      });
      worker.on('exit', (code: number) => {
        if (code === 0) return;
        target.onBreadcrumb({
          category: 'worker',
          message: `worker ${threadId} exited with code ${code}`,
          level: 'error',
        });
        target.onEvent('otelspool.worker.exit', 17, `worker ${threadId} exited with code ${code}`, {
          'thread.id': threadId,
          'process.exit.code': code,
        });
      });
    });
  }

  // --- child processes ---
  const childTarget: ChildWatchTarget = {
    onBreadcrumb: target.onBreadcrumb,
    onEvent: target.onEvent,
  };
  if (target.watchChildProcesses) {
    const onSpawn = (message: unknown): void => {
      const child = (message as { process?: ChildProcess } | undefined)?.process;
      if (child) watchChild(child, childTarget);
    };
    try {
      dc.subscribe('child_process', onSpawn);
      removers.push(() => dc.unsubscribe('child_process', onSpawn));
    } catch {}
  }

  // --- signals ---
  if (target.handleSignals && process.platform !== 'win32') {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const listener = (): void => {
        if (process.listenerCount(signal) > 1) {
          target.onBreadcrumb({
            category: 'signal',
            message: `${signal} received (handled by the app)`,
            level: 'warning',
          });
          return;
        }
        target.onBreadcrumb({
          category: 'signal',
          message: `${signal} received`,
          level: 'warning',
        });
        try {
          target.onTerminatingSignal(signal);
        } catch {}
        process.removeListener(signal, listener);
        process.kill(process.pid, signal);
      };
      on(signal, listener);
    }
  }

  // --- clean exit ---
  on('exit', (code: number) => {
    for (const [, timer] of pending) {
      clearTimeout(timer);
      target.onNonFatal((timer as unknown as { reason: unknown }).reason, 'unhandledRejection', {
        'otelspool.rejection.mode': mode,
      });
    }
    pending.clear();
    target.onExit(typeof code === 'number' ? code : 0);
  });

  return {
    remove(): void {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
      for (const r of removers.splice(0)) {
        try {
          r();
        } catch {}
      }
    },
    watchChild: (child) => watchChild(child, childTarget),
  };
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  try {
    return `non-error rejection: ${String(reason)}`.slice(0, 300);
  } catch {
    return 'non-error rejection';
  }
}

/** The reason as an Error-like value from the warning Node emits with the reason's stack as text. */
function errorFromWarning(warning: Error): { name: string; message: string; stack: string } {
  const text = String(warning.message);
  const firstLine = text.split('\n', 1)[0] ?? '';
  const m = /^([A-Za-z_$][\w$]*(?:Error|Exception)?): (.*)$/.exec(firstLine);
  return {
    name: m ? (m[1] as string) : 'UnhandledRejection',
    message: m ? (m[2] as string) : firstLine,
    stack: text,
  };
}
