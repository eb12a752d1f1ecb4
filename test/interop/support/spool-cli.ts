import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './peers.js';

export const SPOOL_BIN = join(REPO_ROOT, 'packages/cli/dist/bin/spool.js');

export interface SpoolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (`npx tsc -b` first) as a child process on Node 24 (process.execPath),
 * bounded by a timeout after which it is killed by PID.
 */
export async function runSpool(args: string[], timeoutMs = 120_000): Promise<SpoolRun> {
  await access(SPOOL_BIN).catch(() => {
    throw new Error(`${SPOOL_BIN} is missing: build the CLI first (npx tsc -b)`);
  });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SPOOL_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `spool consent grant` then `spool sync --json` into `endpoint`; throws with the CLI's output. */
export async function grantAndSync(dir: string, endpoint: string): Promise<unknown> {
  const grant = await runSpool(['consent', 'grant', '--dir', dir]);
  if (grant.code !== 0) {
    throw new Error(`spool consent grant exited ${grant.code}:\n${grant.stderr}${grant.stdout}`);
  }
  const sync = await runSpool(['sync', '--dir', dir, '--endpoint', endpoint, '--json']);
  if (sync.code !== 0) {
    throw new Error(`spool sync exited ${sync.code}:\n${sync.stderr}${sync.stdout}`);
  }
  try {
    return JSON.parse(sync.stdout) as unknown;
  } catch {
    throw new Error(`spool sync --json printed no JSON on stdout:\n${sync.stdout}`);
  }
}
