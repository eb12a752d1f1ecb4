import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ThrottledSessionWriter } from '../../src/session/throttled-writer.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ThrottledSessionWriter', () => {
  it('writes the first change at once and coalesces the rest into one trailing write', () => {
    const write = vi.fn();
    const writer = new ThrottledSessionWriter(write, 15_000, () => {}, 1000);
    writer.schedule();
    expect(write).toHaveBeenCalledTimes(1);
    writer.schedule();
    writer.schedule();
    writer.schedule();
    expect(write).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(write).toHaveBeenCalledTimes(2);
    writer.stop();
  });

  it('heartbeats at the interval and stops for good', () => {
    const write = vi.fn();
    const beat = vi.fn();
    const writer = new ThrottledSessionWriter(write, 500, beat);
    writer.start();
    vi.advanceTimersByTime(1500);
    expect(beat).toHaveBeenCalledTimes(3);
    expect(write).toHaveBeenCalledTimes(3);
    writer.stop();
    writer.schedule();
    writer.start();
    vi.advanceTimersByTime(5000);
    expect(write).toHaveBeenCalledTimes(3);
  });
});
