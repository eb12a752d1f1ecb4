import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grantConsent } from '../../src/consent/consent.js';
import { OtlpTestServer } from '../helpers/otlp-test-server.js';
import { acceptedBodies, logsLine, writeSpool } from '../helpers/spool-fixtures.js';

// Runs the built dist/ in a child process: `npx tsc -b` first (npm test does).
const CHILD = fileURLToPath(new URL('../fixtures/sync-child.mjs', import.meta.url));

let dir: string;
let server: OtlpTestServer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sync-kill-'));
  server = new OtlpTestServer();
  await server.start();
});
afterEach(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runChild(): { done: Promise<number | null>; kill: () => void } {
  const child = spawn(process.execPath, [CHILD, dir, server.url, '2000'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.resume();
  child.stderr.resume();
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { done, kill: () => child.kill('SIGKILL') };
}

describe('sync killed with SIGKILL mid-run', () => {
  it('resumes: every record arrives, duplicates at most one request', async () => {
    const lines = 300;
    const perLine = 4;
    await writeSpool(
      dir,
      Array.from({ length: lines }, (_, i) => ({
        signal: 'logs' as const,
        data: logsLine(i * perLine, perLine),
        records: perLine,
      })),
    );
    grantConsent(dir);
    server.responseDelayMs = 10;

    const first = runChild();
    // Kill once the child is clearly mid-run (bounded wait: the loop ends when it exits).
    let exited = false;
    void first.done.then(() => (exited = true));
    while (!exited && server.requests.length < 15) await new Promise((r) => setTimeout(r, 5));
    first.kill();
    await first.done;
    const afterKill = server.requests.length;
    expect(afterKill).toBeGreaterThanOrEqual(15);

    server.responseDelayMs = 0;
    const second = runChild();
    expect(await second.done).toBe(0);

    const bodies = acceptedBodies(server.requests);
    const expected = Array.from({ length: lines * perLine }, (_, i) => `rec-${i}`);
    expect(new Set(bodies)).toEqual(new Set(expected));
    const duplicates = bodies.length - new Set(bodies).size;
    const largestRequest = Math.max(...server.requests.map((r) => r.records));
    expect(duplicates).toBeLessThanOrEqual(largestRequest);
  });
});
