import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { processIsAlive } from '../../src/internal.js';

describe('processIsAlive', () => {
  it('is true for this process and its parent', () => {
    expect(processIsAlive(process.pid)).toBe(true);
    expect(processIsAlive(process.ppid)).toBe(true);
  });

  it('is false for a process that has exited', () => {
    const child = spawnSync(process.execPath, ['-e', '0']);
    expect(child.pid).toBeGreaterThan(0);
    expect(processIsAlive(child.pid!)).toBe(false);
  });

  it('is false for pids that cannot be a process', () => {
    for (const pid of [0, -1, 1.5, Number.NaN]) expect(processIsAlive(pid)).toBe(false);
  });
});
