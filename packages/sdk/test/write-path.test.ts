import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, spansOf, tempDir } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/burst-host.mjs', import.meta.url));

interface HostResult {
  produced: number;
  before: { openSpans: { tracked: number; untracked: number } };
  after: { dropped: Record<string, number>; written: { records: number } };
}

function runHost(dir: string, args: number[]): HostResult {
  const result = spawnSync(process.execPath, [fixture, dir, ...args.map(String)], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as HostResult;
}

describe('the write path with startTelemetry defaults', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('loses no span of bursts of 1,000 per turn and of one 25,000-span turn', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    // 30 turns of 1,000, then 25,000 in a single turn (more than the writer's 16 MiB queue
    // would hold if nothing were written before the next turn)
    const r = runHost(tmp.dir, [1000, 30, 25_000, 0]);
    expect(r.produced).toBe(55_000);
    expect(Object.values(r.after.dropped).reduce((a, b) => a + b, 0)).toBe(0);
    const spans = spansOf(await collect(tmp.dir)).filter(
      (s) => s.span.name === 'audio.process_block',
    );
    expect(spans).toHaveLength(55_000);
    expect(new Set(spans.map((s) => s.span.spanId)).size).toBe(55_000);
  });

  it('tracks at most 2,048 open spans for the crash path and counts the ones it forgets', () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const r = runHost(tmp.dir, [0, 0, 0, 5000]);
    expect(r.before.openSpans).toEqual({ tracked: 2048, untracked: 5000 - 2048 });
  });
});
