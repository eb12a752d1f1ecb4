import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonlMetricExporter } from '../../src/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelspool-metric-records-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('JsonlMetricExporter', () => {
  it('counts data points as records, the unit OTLP and the spool reader use', async () => {
    const exporter = new JsonlMetricExporter({ dir });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const counter = provider.getMeter('t').createCounter('plugin.xruns');
    for (const plugin of ['reverb', 'synth', 'filter']) counter.add(1, { 'plugin.name': plugin });
    provider.getMeter('t').createHistogram('plugin.block.duration').record(1.5);
    await provider.forceFlush();
    // two metrics, four data points
    expect(exporter.stats().writer.written.records).toBe(4);
    await provider.shutdown();
  });
});
