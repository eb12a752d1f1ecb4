import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { computeSlo, prometheusRulesYaml, type SloResult } from '../../src/analysis/index.js';
import {
  appendLines,
  segmentName,
  T0,
  tempSpool,
  tracesLine,
  type SpanSpec,
} from './report-fixture.js';

// Known answers: the newest span ends in minute N = T0 + 3 d. 900 good fast spans end two days
// earlier; the newest minute holds 100 spans, 10 of them errors, 60 of them 1 s slow.
const NEWEST = T0 + 3 * 86_400_000;
let dir: string;
let cleanup: () => void;
let result: SloResult;

beforeAll(async () => {
  ({ dir, cleanup } = tempSpool('spool-slo-'));
  const old: SpanSpec[] = Array.from({ length: 900 }, () => ({
    name: 'op',
    startMs: NEWEST - 2 * 86_400_000 - 100,
    durationMs: 100,
  }));
  const recent: SpanSpec[] = Array.from({ length: 100 }, (_, k) => ({
    name: 'op',
    startMs: NEWEST - (k < 60 ? 1000 : 100),
    durationMs: k < 60 ? 1000 : 100,
    error: k >= 90,
  }));
  // Far outside a 30d window: must not count.
  const ancient: SpanSpec[] = [
    { name: 'op', startMs: NEWEST - 40 * 86_400_000, durationMs: 5, error: true },
  ];
  appendLines(dir, 'traces', segmentName(), [
    tracesLine('synth', ancient),
    tracesLine('synth', old),
    tracesLine('synth', recent),
  ]);
  result = await computeSlo(dir, {
    availability: 0.99,
    latencyP95Ms: 500,
    windowMs: 30 * 86_400_000,
  });
});
afterAll(() => cleanup());

describe('computeSlo', () => {
  it('computes SLIs and status over the window ending at the newest span', () => {
    expect(result.window.endUnixMs).toBe(NEWEST);
    expect(result.sli).toMatchObject({
      total: 1000,
      errors: 10,
      slow: 60,
      successRatio: 0.99,
      latencyRatio: 0.94,
    });
    // 940 spans of 100 ms, 60 of 1000 ms: the p95 (rank 949) is 1000 ms, within 1 %.
    expect(Math.abs((result.sli.p95Ms ?? 0) - 1000)).toBeLessThanOrEqual(10);
    expect(result.availability.status).toBe('met');
    expect(result.latency?.status).toBe('breached');
  });

  it('computes the error budget total, used and remaining', () => {
    expect(result.availability.budgetTotal).toBeCloseTo(10, 9);
    expect(result.availability.budgetUsed).toBe(10);
    expect(result.availability.budgetRemaining).toBeCloseTo(0, 9);
    expect(result.latency?.budgetTotal).toBeCloseTo(50, 9);
    expect(result.latency?.budgetUsed).toBe(60);
    expect(result.latency?.budgetRemainingRatio).toBeCloseTo(-0.2, 9);
  });

  it('computes burn rates per window relative to the newest data', () => {
    const burn = Object.fromEntries(result.burnRates.map((b) => [b.window, b]));
    for (const w of ['5m', '30m', '1h', '2h', '6h', '1d']) {
      expect(burn[w]).toMatchObject({ total: 100, errors: 10, slow: 60 });
      expect(burn[w]?.availabilityBurnRate).toBeCloseTo(10, 9); // 10 % errors / 1 % budget
      expect(burn[w]?.latencyBurnRate).toBeCloseTo(12, 9); // 60 % slow / 5 % budget
    }
    expect(burn['3d']).toMatchObject({ total: 1000, errors: 10 });
    expect(burn['3d']?.availabilityBurnRate).toBeCloseTo(1, 9);
  });

  it('fires exactly the multiwindow alerts whose both windows exceed the factor', () => {
    const firing = result.alerts.filter((a) => a.firing).map((a) => `${a.sli}:${a.name}`);
    // availability: 10× burns > 6 (page-slow) and > 3 (ticket-fast); not > 14.4; 3d is 1×, not > 1.
    // latency: 12× burns the same way; 3d = 6 % / 5 % = 1.2 > 1 and 6h = 12 > 1 → ticket-slow too.
    expect(firing.sort()).toEqual(
      [
        'availability:page-slow',
        'availability:ticket-fast',
        'latency:page-slow',
        'latency:ticket-fast',
        'latency:ticket-slow',
      ].sort(),
    );
  });

  it('honours a shorter window and a span-name filter', async () => {
    const day = await computeSlo(dir, { availability: 0.99, windowMs: 86_400_000 });
    expect(day.sli).toMatchObject({ total: 100, errors: 10 });
    expect(day.availability.status).toBe('breached');
    const none = await computeSlo(dir, { availability: 0.99, spanName: 'nope' });
    expect(none.sli.total).toBe(0);
    expect(none.availability.status).toBe('no-data');
    expect(none.alerts.every((a) => !a.firing)).toBe(true);
  });
});

describe('prometheusRulesYaml', () => {
  it('writes Sloth-style recording and alert rules over the span_metrics series', () => {
    const doc = parse(
      prometheusRulesYaml({ availability: 0.999, latencyP95Ms: 500, service: 'synth' }),
    ) as {
      groups: {
        name: string;
        rules: { record?: string; alert?: string; expr: string; labels?: Record<string, string> }[];
      }[];
    };
    const names = doc.groups.map((g) => g.name);
    expect(names).toEqual([
      'sloth-slo-sli-recordings-synth-span-availability',
      'sloth-slo-meta-recordings-synth-span-availability',
      'sloth-slo-alerts-synth-span-availability',
      'sloth-slo-sli-recordings-synth-span-latency',
      'sloth-slo-meta-recordings-synth-span-latency',
      'sloth-slo-alerts-synth-span-latency',
    ]);
    const recordings = doc.groups[0]?.rules ?? [];
    expect(recordings.map((r) => r.labels?.sloth_window)).toEqual([
      '5m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
      '3d',
      '30d',
    ]);
    expect(recordings[0]?.expr).toContain(
      'traces_span_metrics_calls_total{service_name="synth", status_code="STATUS_CODE_ERROR"}[5m]',
    );
    const meta = doc.groups[1]?.rules ?? [];
    expect(meta.find((r) => r.record === 'slo:objective:ratio')?.expr.trim()).toBe('vector(0.999)');
    const page = doc.groups[2]?.rules.find((r) => r.alert === 'SynthSpanAvailabilityPage');
    expect(page?.expr).toContain('> (14.4 * 0.001)');
    expect(page?.expr).toContain('slo:sli_error:ratio_rate6h');
    const latency = doc.groups[3]?.rules[0]?.expr ?? '';
    expect(latency).toContain(
      'traces_span_metrics_duration_milliseconds_bucket{service_name="synth", le=~"500(\\\\.0)?"}[5m]',
    );
  });

  it('uses the same metric names as the compose stack rules', () => {
    const deployed = readFileSync(
      join(__dirname, '../../../../deploy/prometheus/rules/otelspool-slo.rules.yml'),
      'utf8',
    );
    expect(deployed).toContain('traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}');
    const ours = prometheusRulesYaml({ availability: 0.99 });
    expect(ours).toContain(
      'sum(rate(traces_span_metrics_calls_total{status_code="STATUS_CODE_ERROR"}[5m]))',
    );
  });
});
