import { describe, expect, it } from 'vitest';
import { estimateValueBytes } from '../../src/memory/estimate-size.js';

describe('the in-memory stores size records to their leaves', () => {
  it('counts a string nested in a log body as what it is', () => {
    const payload = 'x'.repeat(1 << 20);
    expect(estimateValueBytes({ req: { payload } })).toBeGreaterThanOrEqual(1 << 20);
    expect(estimateValueBytes([[[payload]]])).toBeGreaterThanOrEqual(1 << 20);
    expect(estimateValueBytes(payload)).toBe(1 << 20);
  });

  it('stays linear and finite on cycles and very deep values', () => {
    const cyclic: Record<string, unknown> = { a: 'x'.repeat(100) };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, cyclic];
    const n = estimateValueBytes(cyclic);
    expect(n).toBeGreaterThanOrEqual(100);
    expect(n).toBeLessThan(1000);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(Number.isFinite(estimateValueBytes(deep))).toBe(true);
  });
});
