// Interop 4: `spool sync` → the real Collector (deploy/otelcol/config.yaml, its OTLP exporter to
// Prometheus as deployed) → Prometheus 3 (built from source, deploy/prometheus/prometheus.yml and
// the compose service's flags: OTLP receiver on, 30d out-of-order window). Series and sample
// counts are queried back through the Prometheus HTTP API, named as the deployed OTLP
// translation (UnderscoreEscapingWithSuffixes) names them, the dashboard's derived series
// (crashes, sessions, events, span metrics) included. A second spool read by the Collector's
// otlp_json_file receiver checks the Collector → Prometheus leg independently of the CLI.
// Then the offline story: points recorded days ago, synced after newer ones of the same series,
// are queryable at their own time with exact values; against a Prometheus started without the
// out-of-order window, the same replay is refused.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFixtureInPrometheus } from './support/expect-in-prometheus.js';
import { startNativeStack, type NativeStack } from './support/native-stack.js';
import { ensurePeers } from './support/peers.js';
import { instantQuery, rangeQuery, selfMetric } from './support/prometheus-query.js';
import { writeReplaySpool, type ReplayPoint } from './support/replay-spool.js';
import { grantAndSync } from './support/spool-cli.js';
import { writeFixtureSpool, type SpoolFixture } from './support/spool-fixture.js';
import { waitFor } from './support/wait-for.js';

const DAY_MS = 86_400_000;
/** Samples Prometheus' TSDB refused as too old: out of order, or before the head's range. */
const REFUSED_AS_TOO_OLD = [
  'prometheus_tsdb_out_of_order_samples_total',
  'prometheus_tsdb_out_of_bound_samples_total',
  'prometheus_tsdb_too_old_samples_total',
];

async function refusedAsTooOld(url: string): Promise<number> {
  let total = 0;
  for (const name of REFUSED_AS_TOO_OLD) total += await selfMetric(url, name);
  return total;
}

/**
 * The offline replay: the series' newest points are synced first (another machine, or a resumed
 * sync), then points recorded `daysAgo` days ago. Returns the replayed points.
 */
async function replay(
  dir: string,
  stack: NativeStack,
  serviceName: string,
  daysAgo: number,
): Promise<{ recent: ReplayPoint; old: ReplayPoint[] }> {
  const nowMs = Math.floor(Date.now() / 1000) * 1000;
  const recent: ReplayPoint = { timeMs: nowMs - 120_000, spoolBytes: 65_536, recordsWritten: 42 };
  await writeReplaySpool(join(dir, 'recent'), serviceName, [recent]);
  await grantAndSync(join(dir, 'recent'), stack.otlpHttpUrl);
  const s = `service_name="${serviceName}"`;
  await waitFor(
    async () =>
      (await instantQuery(stack.prometheus.url, `otelspool_spool_bytes{${s}}`)).length === 1
        ? true
        : undefined,
    { what: `the recent point of ${serviceName} in Prometheus`, attempts: 240 },
  );
  const oldMs = nowMs - daysAgo * DAY_MS;
  const old: ReplayPoint[] = [
    { timeMs: oldMs, spoolBytes: 1_024, recordsWritten: 5 },
    { timeMs: oldMs + 60_000, spoolBytes: 2_048, recordsWritten: 7 },
  ];
  await writeReplaySpool(join(dir, 'old'), serviceName, old);
  await grantAndSync(join(dir, 'old'), stack.otlpHttpUrl);
  return { recent, old };
}

describe('spool sync → Collector → Prometheus 3 (OTLP)', () => {
  let dir: string;
  let stack: NativeStack | undefined;
  let noWindow: NativeStack | undefined;
  let fileFixture: SpoolFixture;

  beforeAll(async () => {
    ensurePeers('collector', 'jaeger', 'prometheus3');
    dir = await mkdtemp(join(tmpdir(), 'otelspool-interop-prometheus-'));
    fileFixture = await writeFixtureSpool(join(dir, 'file-spool'));
    const fromFiles = (signal: string) => ({
      include: [join(fileFixture.dir, signal, '*.jsonl')],
      start_at: 'beginning',
      include_file_name: false,
    });
    stack = await startNativeStack(join(dir, 'stack'), {
      extraReceivers: {
        'otlp_json_file/traces': fromFiles('traces'),
        'otlp_json_file/metrics': fromFiles('metrics'),
        'otlp_json_file/logs': fromFiles('logs'),
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await noWindow?.stop();
    if (dir !== undefined && process.env.KEEP_INTEROP_DIRS === undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs the deployed Prometheus: compose flags (OTLP receiver) and the 30d window', async () => {
    expect(stack!.prometheus.args).toContain('--web.enable-otlp-receiver');
    expect(stack!.prometheus.args).toContain('--storage.tsdb.retention.time=45d');
    const flags = (await (await fetch(`${stack!.prometheus.url}/api/v1/status/flags`)).json()) as {
      data: Record<string, string>;
    };
    expect(flags.data['web.enable-otlp-receiver']).toBe('true');
    const config = (await (
      await fetch(`${stack!.prometheus.url}/api/v1/status/config`)
    ).json()) as {
      data: { yaml: string };
    };
    expect(config.data.yaml).toMatch(/out_of_order_time_window: 30d/);
    expect(config.data.yaml).toMatch(/translation_strategy: UnderscoreEscapingWithSuffixes/);
    expect(stack!.collectorConfig.exporters['otlp_http/prometheus']?.metrics_endpoint).toBe(
      `${stack!.prometheus.url}/api/v1/otlp/v1/metrics`,
    );
  });

  it('a spool read by the Collector lands in Prometheus with the translated names', async () => {
    await expectFixtureInPrometheus(stack!.prometheus.url, fileFixture, 'verbatim');
  });

  it('spool sync ships a spool through the Collector into Prometheus: exact series and samples', async () => {
    const synced = await writeFixtureSpool(join(dir, 'sync-spool'));
    await grantAndSync(synced.dir, stack!.otlpHttpUrl);
    // Redacted before it left: the host name arrives as its salted hash, never verbatim.
    await expectFixtureInPrometheus(stack!.prometheus.url, synced, 'hashed');
  });

  it('offline replay: points recorded 3 days ago, synced after newer ones, are queryable with exact values', async () => {
    const url = stack!.prometheus.url;
    const appendedBefore = await selfMetric(
      url,
      'prometheus_tsdb_head_out_of_order_samples_appended_total',
    );
    const service = `interop-replay-${randomBytes(4).toString('hex')}`;
    const { recent, old } = await replay(join(dir, 'replay'), stack!, service, 3);
    const s = `service_name="${service}"`;
    const [first, second] = old as [ReplayPoint, ReplayPoint];
    const t0 = first.timeMs / 1000;
    const t1 = second.timeMs / 1000;

    const gauge = `otelspool_spool_bytes{${s}}`;
    const counter = `otelspool_spool_records_written_total{${s}}`;
    const at = async (promql: string, timeSec: number) =>
      (await instantQuery(url, promql, timeSec)).map((sample) => sample.value);
    await waitFor(async () => ((await at(gauge, t1)).length === 1 ? true : undefined), {
      what: `${gauge} at ${new Date(second.timeMs).toISOString()}`,
      attempts: 240,
    });
    expect(await at(gauge, t0)).toEqual([first.spoolBytes]);
    expect(await at(gauge, t1)).toEqual([second.spoolBytes]);
    expect(await at(counter, t0)).toEqual([first.recordsWritten]);
    expect(await at(counter, t1)).toEqual([second.recordsWritten]);
    const range = await rangeQuery(url, gauge, t0, t1, 60);
    expect(range.map((series) => series.values)).toEqual([
      [
        [t0, first.spoolBytes],
        [t1, second.spoolBytes],
      ],
    ]);
    // The newest point is still the one "now" sees; the series holds exactly the three samples.
    expect(await at(gauge, Date.now() / 1000)).toEqual([recent.spoolBytes]);
    expect(await at(`count_over_time(${gauge}[4d])`, Date.now() / 1000)).toEqual([3]);
    // Nothing refused on the way (the Collector logs every export Prometheus refuses)...
    expect(stack!.collector.process.output()).not.toContain(
      '"otelcol.component.id": "otlp_http/prometheus"',
    );
    // ...accepted as out-of-order samples (2 points × 2 series), which only the window allows.
    expect(
      (await selfMetric(url, 'prometheus_tsdb_head_out_of_order_samples_appended_total')) -
        appendedBefore,
    ).toBeGreaterThanOrEqual(4);
  });

  it('without the out-of-order window (Prometheus default 0) the same replay is refused', async () => {
    noWindow = await startNativeStack(join(dir, 'no-window-stack'), {
      prometheus: { outOfOrderWindow: false },
    });
    const url = noWindow.prometheus.url;
    const config = (await (await fetch(`${url}/api/v1/status/config`)).json()) as {
      data: { yaml: string };
    };
    // No window configured: Prometheus' default, 0 (it prints the unset field as
    // `outofordertimewindow: 0`).
    expect(config.data.yaml).not.toMatch(/out_of_order_time_window/);
    expect(config.data.yaml).toMatch(/outofordertimewindow: 0\n/);
    const refusedBefore = await refusedAsTooOld(url);
    const service = `interop-replay-${randomBytes(4).toString('hex')}`;
    const { recent, old } = await replay(join(dir, 'replay-no-window'), noWindow, service, 3);
    // Prometheus answers the Collector's push of the 4 old points (2 per series) with a 400,
    // and the Collector drops them (a permanent error: retrying cannot help)...
    const refusal = await waitFor(
      async () =>
        noWindow!.collector.process
          .output()
          .split('\n')
          .find((line) => line.includes('"otelcol.component.id": "otlp_http/prometheus"')),
      { what: "the Collector's log of Prometheus refusing the replay", attempts: 240 },
    );
    expect(refusal).toContain('responded with HTTP Status Code 400');
    expect(refusal).toContain('"dropped_items": 4');
    // ...which Prometheus' TSDB counts as too old (out of bounds of its head, or out of order).
    expect((await refusedAsTooOld(url)) - refusedBefore).toBeGreaterThan(0);
    // ...so nothing is there at their time, while the newest point is.
    const s = `service_name="${service}"`;
    for (const point of old) {
      expect(await instantQuery(url, `otelspool_spool_bytes{${s}}`, point.timeMs / 1000)).toEqual(
        [],
      );
    }
    expect(
      (await instantQuery(url, `otelspool_spool_bytes{${s}}`)).map((sample) => sample.value),
    ).toEqual([recent.spoolBytes]);
  });
});
