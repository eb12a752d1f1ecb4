import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseSince } from '../../src/analysis/index.js';

describe('durations', () => {
  it('parses the CLI duration forms', () => {
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('30m')).toBe(1_800_000);
    expect(parseDurationMs('24h')).toBe(86_400_000);
    expect(parseDurationMs('7d')).toBe(604_800_000);
    expect(parseDurationMs('2w')).toBe(1_209_600_000);
    expect(parseDurationMs('7 days')).toBeUndefined();
    expect(parseDurationMs('-5m')).toBeUndefined();
  });

  it('resolves --since as a duration back from now or an ISO date', () => {
    const now = Date.UTC(2026, 10, 24, 12);
    expect(parseSince('2h', now)).toBe(Date.UTC(2026, 10, 24, 10));
    expect(parseSince('2026-11-20', now)).toBe(Date.UTC(2026, 10, 20));
    expect(parseSince('2026-11-20T08:30:00Z', now)).toBe(Date.UTC(2026, 10, 20, 8, 30));
    expect(() => parseSince('yesterday', now)).toThrow(RangeError);
    expect(() => parseSince('2026-13-45', now)).toThrow(RangeError);
  });
});
