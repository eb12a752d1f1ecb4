import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSpoolDir } from './spool-fixture.js';

// Runs the built CLI (dist/): `npx tsc -b` first (npm test does).
const BIN = fileURLToPath(new URL('../../dist/bin/spool.js', import.meta.url));

let spool: ReturnType<typeof makeSpoolDir>;
beforeEach(() => {
  spool = makeSpoolDir();
});
afterEach(() => spool.cleanup());

function run(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('spool dashboard', () => {
  it('serves the UI on loopback, prints the URL and stops on SIGTERM', async () => {
    const proc = run(['dashboard', '--dir', spool.dir, '--port', '0', '--json']);
    const url = await new Promise<string>((resolve, reject) => {
      proc.child.stdout.on('data', () => {
        try {
          resolve((JSON.parse(proc.out()) as { url: string }).url);
        } catch {
          // wait for the whole document
        }
      });
      void proc.exited.then(() => reject(new Error(`dashboard exited early: ${proc.err()}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('otelspool');
    const crashes = await fetch(new URL('/api/crashes', url));
    expect(await crashes.json()).toEqual({ total: 0, groups: [] });

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  it('prints a readable URL line without --json', async () => {
    const proc = run(['dashboard', '--dir', spool.dir]);
    await new Promise<void>((resolve, reject) => {
      proc.child.stdout.on('data', () => {
        if (proc.out().includes('\n')) resolve();
      });
      void proc.exited.then(() => reject(new Error(`dashboard exited early: ${proc.err()}`)));
    });
    expect(proc.out()).toMatch(/^Dashboard for .+: http:\/\/127\.0\.0\.1:\d+\/\n$/);
    proc.child.kill('SIGINT');
    expect(await proc.exited).toBe(0);
  });

  it('rejects a bad port as a usage error (exit 2)', async () => {
    const proc = run(['dashboard', '--dir', spool.dir, '--port', '99999']);
    expect(await proc.exited).toBe(2);
    expect(proc.err()).toContain('--port');
  });
});
