import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { forEachSpan } from '@otelspool/exporter-jsonl';
import { collect, tempDir } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/one-span-natural-exit.mjs', import.meta.url));

// The start-up benchmark (G11) is only honest if the process ends by itself: a never-unref'd
// timer would make a real CLI hang, and a bench that calls process.exit() would hide it. The
// timeout is a hang detector (it kills the child), not a timing assertion.
describe('a program that starts telemetry and makes one span exits on its own', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  for (const mode of ['shutdown', 'no-shutdown'] as const) {
    it(`with defaults, ${mode}: exits 0 unkilled and the span is on disk`, async () => {
      const tmp = tempDir();
      cleanups.push(tmp.cleanup);
      const result = spawnSync(process.execPath, [fixture, tmp.dir, mode], {
        encoding: 'utf8',
        timeout: 30_000,
        killSignal: 'SIGKILL',
      });
      expect(result.signal, 'killed: something kept the event loop alive').toBeNull();
      expect(result.status, result.stderr).toBe(0);
      const names: string[] = [];
      for (const t of (await collect(tmp.dir)).traces)
        forEachSpan(t, (s) => names.push(s.name ?? ''));
      expect(names).toEqual(['only-span']);
    });
  }
});
