import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

/** A peer (Collector, Jaeger, Prometheus) running as a child process, stopped by its PID. */
export interface PeerProcess {
  readonly name: string;
  readonly pid: number;
  /** Path of the file holding the peer's stdout and stderr. */
  readonly logFile: string;
  /** The last lines the peer printed, for assertion messages. */
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL if it has not exited after a bounded wait. */
  stop(): Promise<void>;
}

const OUTPUT_TAIL_BYTES = 16_384;

export function startPeerProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv },
): PeerProcess {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  const log = createWriteStream(options.logFile);
  let tail = '';
  let hasExited = false;
  const keep = (chunk: Buffer): void => {
    log.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = once(child, 'exit').then(() => {
    hasExited = true;
  });

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    if (!hasExited) {
      process.kill(pid, 'SIGTERM');
      // Bounded: 10 s for a graceful shutdown (exporters flush), then SIGKILL.
      const graceful = await Promise.race([exit.then(() => true), sleep(10_000, false)]);
      if (!graceful && !hasExited) {
        process.kill(pid, 'SIGKILL');
        await exit;
      }
    }
    await new Promise<void>((resolve) => log.end(resolve));
  };
  return {
    name,
    pid,
    logFile: options.logFile,
    output: () => tail,
    exited: () => hasExited,
    // Once: a test may stop a peer early (to flush it) and afterAll stops it again.
    stop: () => (stopping ??= stop()),
  };
}
