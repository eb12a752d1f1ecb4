import { describe, expect, it } from 'vitest';
import { SeriesDownsampler } from '../../src/analysis/index.js';

describe('SeriesDownsampler', () => {
  it('keeps at most maxPoints buckets and preserves sum, count, min and max', () => {
    const s = new SeriesDownsampler('m', '1', 120);
    const start = 1_795_000_000_000;
    for (let i = 0; i < 10_000; i++) s.add(start + i * 1000, i);
    const r = s.result();
    expect(r.points.length).toBeLessThanOrEqual(120);
    expect(r.points.reduce((a, p) => a + p.samples, 0)).toBe(10_000);
    expect(r.points.reduce((a, p) => a + p.avg * p.samples, 0)).toBeCloseTo((9999 * 10_000) / 2, 3);
    expect(Math.min(...r.points.map((p) => p.min))).toBe(0);
    expect(Math.max(...r.points.map((p) => p.max))).toBe(9999);
    expect(r.bucketMs % 1000).toBe(0);
    expect(r.last).toBe(9999);
    for (const p of r.points) expect(p.tUnixMs % r.bucketMs).toBe(0);
  });

  it('gives the same result whatever order samples arrive in', () => {
    const samples = Array.from(
      { length: 3000 },
      (_, i) => [1_795_000_000_000 + i * 7919, (i * 37) % 101] as const,
    );
    const ordered = new SeriesDownsampler('m', '1');
    for (const [t, v] of samples) ordered.add(t, v);
    const shuffled = new SeriesDownsampler('m', '1');
    for (const [t, v] of [...samples].sort((a, b) => a[1] - b[1] || b[0] - a[0]))
      shuffled.add(t, v);
    expect(shuffled.result()).toEqual(ordered.result());
  });

  it('ignores non-finite samples', () => {
    const s = new SeriesDownsampler('m', '1');
    s.add(NaN, 1);
    s.add(1000, Infinity);
    expect(s.result().points).toEqual([]);
    expect(s.result().last).toBeNull();
  });
});
