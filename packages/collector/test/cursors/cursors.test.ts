import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listCursors } from '@otelspool/exporter-jsonl/internal';
import { CursorStore } from '../../src/cursors/cursor-store.js';
import { acquireSyncLock, SyncLockedError } from '../../src/cursors/lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cursors-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('cursor store', () => {
  it('persists positions per destination, only ever forward', () => {
    const a = new CursorStore(dir, 'a', ['http://a/v1/traces'], ['traces']);
    a.commit([{ signal: 'traces', segment: 's1', position: 100 }]);
    a.commit([
      { signal: 'traces', segment: 's1', position: 50 },
      { signal: 'traces', segment: 's2', position: 7 },
      { signal: 'logs', segment: 's1', position: 3 },
    ]);
    const b = new CursorStore(dir, 'b', [], ['metrics']);
    b.commit([{ signal: 'metrics', segment: 'm1', position: 9 }]);
    expect(new CursorStore(dir, 'a').positions('traces')).toEqual({ s1: 100, s2: 7 });
    expect(new CursorStore(dir, 'a').positions('logs')).toEqual({ s1: 3 });
    expect(listCursors(dir).map((c) => [c.destination, c.signals])).toEqual(
      expect.arrayContaining([
        ['a', ['traces']],
        ['b', ['metrics']],
      ]),
    );
    expect(
      JSON.parse(readFileSync(join(dir, 'sync', 'a.json'), 'utf8')).segments['traces/s1'],
    ).toBe(100);
  });

  it('keeps the line count with each position, for resuming without re-reading', () => {
    const a = new CursorStore(dir, 'a', [], ['traces']);
    a.commit([
      { signal: 'traces', segment: 's1', position: 100, line: 4 },
      { signal: 'traces', segment: 's2', position: 7 },
    ]);
    expect(new CursorStore(dir, 'a').resumePoints('traces')).toEqual({
      s1: { position: 100, line: 4 },
      s2: 7,
    });
    // Backwards is ignored, line and all; forward without a line forgets the old count.
    a.commit([{ signal: 'traces', segment: 's1', position: 90, line: 3 }]);
    a.commit([{ signal: 'traces', segment: 's2', position: 9, line: 2 }]);
    expect(new CursorStore(dir, 'a').resumePoints('traces')).toEqual({
      s1: { position: 100, line: 4 },
      s2: { position: 9, line: 2 },
    });
    a.commit([{ signal: 'traces', segment: 's1', position: 120 }]);
    expect(new CursorStore(dir, 'a').resumePoints('traces')).toEqual({
      s1: 120,
      s2: { position: 9, line: 2 },
    });
    // A hand-edited count that is not a count, or for a segment with no position, is dropped.
    const file = join(dir, 'sync', 'a.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.lines = { 'traces/s2': -1, 'traces/nope': 3, 'traces/s1': 5 };
    writeFileSync(file, JSON.stringify(json), { mode: 0o600 });
    expect(new CursorStore(dir, 'a').resumePoints('traces')).toEqual({
      s1: { position: 120, line: 5 },
      s2: 9,
    });
  });

  it('reads a corrupt cursor file as empty (resend, never skip)', () => {
    mkdirSync(join(dir, 'sync'), { recursive: true });
    writeFileSync(join(dir, 'sync', 'x.json'), '{"version":1,"segm');
    expect(new CursorStore(dir, 'x').positions('logs')).toEqual({});
  });
});

describe('sync lock', () => {
  it('excludes a second holder and is released', () => {
    const lock = acquireSyncLock(dir);
    // Same pid re-acquiring is treated as stale; simulate another live process with the parent pid.
    writeFileSync(join(dir, 'sync', '.lock'), String(process.ppid));
    expect(() => acquireSyncLock(dir)).toThrow(SyncLockedError);
    writeFileSync(join(dir, 'sync', '.lock'), String(process.pid));
    lock.release();
    acquireSyncLock(dir).release();
  });

  it('takes over a lock whose process is dead', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(child.stdout.toString());
    mkdirSync(join(dir, 'sync'), { recursive: true });
    writeFileSync(join(dir, 'sync', '.lock'), String(deadPid));
    const lock = acquireSyncLock(dir);
    expect(readFileSync(join(dir, 'sync', '.lock'), 'utf8')).toBe(String(process.pid));
    lock.release();
  });
});
