import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const FIXTURE = fileURLToPath(new URL('../fixtures/crash-app.mjs', import.meta.url));
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface FixtureRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The first stdout line the fixture prints after install: { sessionId, lastRun }. */
  started?: { sessionId: string; lastRun: Record<string, unknown> };
}

export interface FixtureOptions {
  nodeArgs?: string[];
  flags?: string[];
  /** Send this signal once the fixture printed `ready`. */
  kill?: NodeJS.Signals;
  env?: Record<string, string>;
}

/** Runs the crash fixture in a real Node 24 child process (the built dist/ of @otelspool/crash). */
export function runFixture(
  dir: string,
  scenario: string,
  options: FixtureOptions = {},
): Promise<FixtureRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), FIXTURE, dir, scenario, ...(options.flags ?? [])],
      {
        env: { ...process.env, NODE_OPTIONS: '', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.kill && !killed && stdout.includes('ready\n')) {
        killed = true;
        child.kill(options.kill);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      const first = stdout.split('\n', 1)[0] ?? '';
      let started: FixtureRun['started'];
      try {
        started = first.startsWith('{') ? JSON.parse(first) : undefined;
      } catch {
        started = undefined;
      }
      resolve({ code, signal, stdout, stderr, started });
    });
  });
}
