import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const SPOOL_BIN = `${REPO_ROOT}packages/cli/dist/bin/spool.js`;

/** CI=true shortens soak/load durations; RELIABILITY_FULL=1 runs the full figures of the issue. */
export const FULL = process.env.RELIABILITY_FULL === '1';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose stdout is read line by line (the tests' protocol). */
export interface LineChild {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly lines: string[];
  stderr(): string;
  /** Resolves with the first line (already seen or future) matching, rejects on exit/timeout. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  readonly exited: Promise<Exit>;
  /** Sends a signal to this child's pid (never by name). */
  kill(signal?: NodeJS.Signals): void;
}

const running = new Set<LineChild>();

/** Starts `process.execPath <args>`; every child is tracked so stopAll() can end it by pid. */
export function startNode(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; onLine?: (line: string) => void } = {},
): LineChild {
  const proc = spawn(process.execPath, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<{ match: (l: string) => boolean; resolve: (l: string) => void }>();
  let err = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    // keep the tail only: a chatty child must not grow the test's memory
    err = (err + chunk).slice(-20_000);
  });
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (!options.onLine) lines.push(line);
    else options.onLine(line);
    for (const w of waiters) {
      if (w.match(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<Exit>((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const child: LineChild = {
    proc,
    pid: proc.pid ?? -1,
    lines,
    stderr: () => err,
    exited,
    waitForLine(match, timeoutMs) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out waiting for a line from pid ${child.pid}; stderr: ${err}`));
        }, timeoutMs);
        const w = {
          match,
          resolve: (l: string) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        waiters.add(w);
        void exited.then((e) => {
          // give readline a moment to deliver the last lines
          setTimeout(() => {
            if (!waiters.delete(w)) return;
            clearTimeout(timer);
            reject(new Error(`pid ${child.pid} exited (${e.code}/${e.signal}); stderr: ${err}`));
          }, 50);
        });
      });
    },
    kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) {
        try {
          process.kill(child.pid, signal);
        } catch {
          // already gone
        }
      }
    },
  };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

/** SIGKILLs every child still running (by pid) and waits for their exit. */
export async function stopAll(): Promise<void> {
  const list = [...running];
  for (const c of list) c.kill('SIGKILL');
  await Promise.all(list.map((c) => c.exited));
}

/** Runs the built `spool` CLI to completion; returns its exit code and output. */
export async function runSpool(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startNode([SPOOL_BIN, ...args], { env });
  const exit = await child.exited;
  // readline may deliver the last lines after 'exit'
  await new Promise((r) => setTimeout(r, 20));
  return { code: exit.code, stdout: child.lines.join('\n'), stderr: child.stderr() };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
