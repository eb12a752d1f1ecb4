// Every metric name Grafana's dashboard queries must be a series our data really produces in
// Prometheus: the names are taken from a real spool (the demo host, a real SDK process, plus a
// real `spool sync` run that leaves its sync self-metrics), translated by the repository's
// OTLP → Prometheus naming code; the Collector-derived series come from deploy/otelcol's
// connector config through the same translation; `slo:*` from the recording rules.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { grantConsent, prometheusLabelName, prometheusSeriesNames } from '@otelspool/collector';
import { readSpool, type Metric, type MetricsData } from '@otelspool/exporter-jsonl';
import { run } from './commands/capture.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const spool = join(root, 'packages/cli/dist/bin/spool.js');
const dashboard = JSON.parse(
  readFileSync(join(root, 'deploy/grafana/dashboards/otelspool.json'), 'utf8'),
) as { panels: { title?: string; targets?: { expr?: string }[] }[] };

const exprs = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).flatMap((t) => (t.expr ? [{ panel: p.title ?? '', expr: t.expr }] : [])),
);

/** Metric names in a PromQL expression: identifiers right before a `{` selector or `[` range. */
function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?=[{[])/g)].map((m) => m[1] as string);
}

type Series = Map<string, Set<string>>; // series name → label names of its points

let dir: string;
let server: Server;
const fromSpool: Series = new Map();

function addMetric(series: Series, metric: Metric, labels: string[]): void {
  for (const name of prometheusSeriesNames(metric as never)) {
    const set = series.get(name) ?? new Set<string>();
    for (const l of labels) set.add(l);
    series.set(name, set);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otelspool-grafana-'));
  const demo = spawnSync(process.execPath, [spool, 'demo', '--dir', dir, '--duration', '1'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  expect(demo.status, demo.stderr).toBe(0);

  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  grantConsent(dir);
  const synced = await run(['sync', '--dir', dir, '--endpoint', url]);
  expect(synced.code, synced.stderr).toBe(0);

  for await (const record of readSpool(dir, { signals: ['metrics'] })) {
    for (const rm of (record.data as MetricsData).resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const points =
            m.gauge?.dataPoints ??
            m.sum?.dataPoints ??
            m.histogram?.dataPoints ??
            m.exponentialHistogram?.dataPoints ??
            [];
          const labels = points.flatMap((p) => (p.attributes ?? []).map((a) => a.key));
          addMetric(fromSpool, m, labels.map(prometheusLabelName));
        }
      }
    }
  }
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** What the deployed Collector derives from our logs and spans (deploy/otelcol/config.yaml). */
function collectorSeries(): Series {
  const config = parse(readFileSync(join(root, 'deploy/otelcol/config.yaml'), 'utf8')) as {
    connectors: Record<string, Record<string, unknown>>;
  };
  const series: Series = new Map();
  for (const [id, connector] of Object.entries(config.connectors)) {
    if (id === 'count' || id.startsWith('count/')) {
      // The count connector makes a monotonic sum (unit "") per configured name.
      for (const signal of ['spans', 'spanevents', 'metrics', 'datapoints', 'logs']) {
        const metrics = (connector[signal] ?? {}) as Record<string, { attributes?: unknown }>;
        for (const [name, def] of Object.entries(metrics)) {
          const attrs = Array.isArray(def?.attributes)
            ? (def.attributes as { key: string }[]).map((a) => prometheusLabelName(a.key))
            : [];
          addMetric(series, { name, unit: '', sum: { isMonotonic: true } }, attrs);
        }
      }
    }
    if (id === 'span_metrics' || id.startsWith('span_metrics/')) {
      const namespace = (connector['namespace'] as string | undefined) ?? 'traces.span.metrics';
      const histogram = (connector['histogram'] ?? {}) as { unit?: string };
      const labels = ['span_name', 'span_kind', 'status_code'];
      addMetric(
        series,
        { name: `${namespace}.calls`, unit: '', sum: { isMonotonic: true } },
        labels,
      );
      addMetric(
        series,
        { name: `${namespace}.duration`, unit: histogram.unit ?? 'ms', histogram: {} },
        [...labels, 'le'],
      );
    }
  }
  return series;
}

function recordedRules(): Set<string> {
  const rulesDir = join(root, 'deploy/prometheus/rules');
  const names = new Set<string>();
  for (const file of readdirSync(rulesDir)) {
    const doc = parse(readFileSync(join(rulesDir, file), 'utf8')) as {
      groups: { rules: { record?: string }[] }[];
    };
    for (const g of doc.groups) for (const r of g.rules) if (r.record) names.add(r.record);
  }
  return names;
}

describe('Grafana dashboard queries', () => {
  it('query only series a real spool (and the Collector and rules over it) produces', () => {
    const collector = collectorSeries();
    const recorded = recordedRules();
    const missing: string[] = [];
    for (const { panel, expr } of exprs) {
      for (const name of metricNamesIn(expr)) {
        if (!fromSpool.has(name) && !collector.has(name) && !recorded.has(name)) {
          missing.push(`${panel}: ${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
    // The accounting series are among them, produced by real processes.
    for (const name of [
      'otelspool_spool_records_written_total',
      'otelspool_spool_records_dropped_total',
      'otelspool_spool_records_evicted_total',
      'otelspool_sync_records_sent_total',
      'otelspool_sync_requests_failed_total',
      'process_cpu_utilization_ratio',
    ]) {
      expect(fromSpool.has(name), name).toBe(true);
    }
  });

  it('group and aggregate by labels those series carry', () => {
    const labelsOf = (name: string) => fromSpool.get(name) ?? new Set<string>();
    expect(labelsOf('otelspool_spool_records_dropped_total').has('reason')).toBe(true);
    expect(labelsOf('otelspool_spool_records_evicted_total').has('shipped')).toBe(true);
    expect(labelsOf('otelspool_sync_records_sent_total').has('destination')).toBe(true);
    // CPU is observed per cpu.mode: the panel must sum the modes (as `spool report` does).
    expect(labelsOf('process_cpu_utilization_ratio').has('cpu_mode')).toBe(true);
    const cpu = exprs.find((e) => e.panel === 'CPU %')?.expr ?? '';
    expect(cpu).toMatch(/sum without \(cpu_mode\) \(process_cpu_utilization_ratio/);
  });
});
