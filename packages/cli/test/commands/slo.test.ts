import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  appendLines,
  segmentName,
  T0,
  tempSpool,
  tracesLine,
  type SpanSpec,
} from '../analysis/report-fixture.js';
import { run } from './capture.js';

let dir: string;
let cleanup: () => void;

// 200 spans in the newest minute, 4 errors (2 %), 20 slower than 250 ms (10 %).
beforeAll(() => {
  ({ dir, cleanup } = tempSpool('spool-slo-cmd-'));
  const spans: SpanSpec[] = Array.from({ length: 200 }, (_, k) => ({
    name: k % 2 ? 'render' : 'load',
    startMs: T0 + 30_000 - (k < 20 ? 400 : 50),
    durationMs: k < 20 ? 400 : 50,
    error: k >= 196,
  }));
  appendLines(dir, 'traces', segmentName(), [tracesLine('synth', spans)]);
});
afterAll(() => cleanup());

describe('spool slo', () => {
  it('--json reports SLIs, budgets, burn rates and alerts', async () => {
    const { code, stdout } = await run([
      'slo',
      '--dir',
      dir,
      '--availability',
      '99.9',
      '--latency-p95',
      '250ms',
      '--json',
    ]);
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.objective).toEqual({
      availability: 0.999,
      latencyP95Ms: 250,
      windowMs: 30 * 86_400_000,
    });
    expect(r.sli).toMatchObject({
      total: 200,
      errors: 4,
      slow: 20,
      successRatio: 0.98,
      latencyRatio: 0.9,
    });
    expect(r.availability.status).toBe('breached');
    expect(r.availability.budgetTotal).toBeCloseTo(0.2, 9);
    expect(
      r.burnRates.find((b: { window: string }) => b.window === '5m').availabilityBurnRate,
    ).toBeCloseTo(20, 6);
    // 20× burn in every window: all availability alerts fire (20 > 14.4, 6, 3, 1).
    expect(
      r.alerts.filter(
        (a: { sli: string; firing: boolean }) => a.sli === 'availability' && a.firing,
      ),
    ).toHaveLength(4);
  });

  it('prints readable tables without escape codes off a TTY', async () => {
    const { code, stdout } = await run(['slo', '--dir', dir, '--availability', '99.9']);
    expect(code).toBe(0);
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).toContain('BREACHED');
    expect(stdout).toContain('4 alert(s) would fire');
    expect(stdout).toMatch(
      /page-fast\s+│ availability │ page\s+│ > 14\.4× over 1h and 5m │ 20\.00×/,
    );
  });

  it('filters by span name and writes Prometheus rules', async () => {
    const rules = join(dir, 'rules.yml');
    const { code, stdout, stderr } = await run([
      'slo',
      '--dir',
      dir,
      '--availability',
      '99',
      '--span',
      'render',
      '--latency-p95',
      '250ms',
      '--prometheus-rules',
      rules,
      '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).sli).toMatchObject({ total: 100, errors: 2, slow: 10 });
    expect(stderr).toContain(`wrote Prometheus rules to ${rules}`);
    expect(stderr).not.toContain('warning');
    const doc = parse(readFileSync(rules, 'utf8')) as {
      groups: { name: string; rules: { expr: string }[] }[];
    };
    expect(doc.groups).toHaveLength(6);
    expect(doc.groups[0]?.rules[0]?.expr).toContain('span_name="render"');
    expect(doc.groups[3]?.rules[0]?.expr).toContain('le=~"250(');
    // 300 ms is not a bound of the Collector's span histogram: the rules could never match.
    const odd = await run([
      'slo',
      '--dir',
      dir,
      '--availability',
      '99',
      '--latency-p95',
      '300ms',
      '--prometheus-rules',
      rules,
    ]);
    expect(odd.stderr).toContain('warning: 300 ms is not a bucket bound');
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['slo', '--dir', dir, '--availability', '150'])).code).toBe(2);
    expect(
      (await run(['slo', '--dir', dir, '--availability', '99', '--latency-p95', 'fast'])).code,
    ).toBe(2);
    expect((await run(['slo', '--dir', dir, '--availability', '99', '--window', '10s'])).code).toBe(
      2,
    );
    expect((await run(['slo', '--dir', dir])).code).toBe(2);
  });
});
