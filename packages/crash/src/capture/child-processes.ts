import type { ChildProcess } from 'node:child_process';
import type { Breadcrumb } from '../session/breadcrumbs.js';

export interface ChildWatchTarget {
  onBreadcrumb(breadcrumb: Breadcrumb): void;
  onEvent(
    name: string,
    severityNumber: number,
    body: string,
    attributes: Record<string, string | number | boolean | undefined>,
  ): void;
}

const watched = new WeakSet<ChildProcess>();

/**
 * Records how a child process ended: a death by signal that the parent did not send (SIGSEGV,
 * SIGABRT, SIGKILL from the OOM killer) is an ERROR event `otelspool.child_process.crash` plus a
 * breadcrumb; a non-zero exit code is a breadcrumb. Only an 'exit' listener is added, which
 * changes nothing about the child or the parent.
 */
export function watchChild(child: ChildProcess, target: ChildWatchTarget): void {
  if (watched.has(child)) return;
  watched.add(child);
  child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
    const name = childName(child);
    if (signal) {
      const byParent = child.killed === true;
      target.onBreadcrumb({
        category: 'child_process',
        message: `${name} (pid ${child.pid ?? '?'}) died of ${signal}${byParent ? ' sent by this process' : ''}`,
        level: byParent ? 'info' : 'error',
      });
      if (!byParent) {
        target.onEvent(
          'otelspool.child_process.crash',
          17,
          `child process ${name} died of ${signal}`,
          {
            'process.pid': child.pid,
            'process.executable.name': name,
            'otelspool.child_process.signal': signal,
          },
        );
      }
    } else if (code !== 0 && code !== null) {
      target.onBreadcrumb({
        category: 'child_process',
        message: `${name} (pid ${child.pid ?? '?'}) exited with code ${code}`,
        level: 'warning',
      });
    }
  });
}

function childName(child: ChildProcess): string {
  const file = child.spawnfile;
  if (typeof file !== 'string' || file.length === 0) return 'child';
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] || 'child';
}
