// Interop 5: `spool sync` → the real Collector (deploy/otelcol/config.yaml, its logs pipeline and
// its `otlp_http/loki` exporter as deployed) → Loki's OTLP/HTTP path, `/otlp/v1/logs`.
// Loki itself cannot be built or run here (its Go module is refused under its licence), so this
// tests to Loki's boundary: the exporter's `http://loki:3100` origin is pointed at the product's
// own OTLP receiver (the one `spool serve` runs), which serves Loki's path; the path of every
// request is recorded. Every log record synced must arrive there, exactly once, with its
// resource attributes, severity, body and trace/span ids: what Loki turns into the stream label
// service_name and the structured metadata the dashboard's LogQL filters on.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  attributeText,
  forEachLogRecord,
  readSpool,
  type LogRecord,
  type LogsData,
  type ResourceLogs,
} from '@otelspool/exporter-jsonl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNativeStack, type NativeStack } from './support/native-stack.js';
import { ensurePeers } from './support/peers.js';
import { grantAndSync } from './support/spool-cli.js';
import { writeFixtureSpool, type SpoolFixture } from './support/spool-fixture.js';
import { waitFor } from './support/wait-for.js';

interface Arrived {
  record: LogRecord;
  resource: ResourceLogs['resource'];
}

async function logsIn(dir: string): Promise<Arrived[]> {
  const out: Arrived[] = [];
  for await (const { data } of readSpool(dir, { signals: ['logs'], quarantine: false })) {
    forEachLogRecord(data as LogsData, (record, _scope, resourceLogs) =>
      out.push({ record, resource: resourceLogs.resource }),
    );
  }
  return out;
}

describe('spool sync → Collector → Loki OTLP path (/otlp/v1/logs)', () => {
  let dir: string;
  let stack: NativeStack | undefined;
  let fixture: SpoolFixture;
  let arrived: Arrived[];

  beforeAll(async () => {
    ensurePeers('collector', 'jaeger', 'prometheus3');
    dir = await mkdtemp(join(tmpdir(), 'otelspool-interop-loki-'));
    stack = await startNativeStack(join(dir, 'stack'));
    fixture = await writeFixtureSpool(join(dir, 'sync-spool'));
    await grantAndSync(fixture.dir, stack.otlpHttpUrl);
    const sink = stack.loki;
    await waitFor(
      async () => (sink.receiver.stats.accepted.logs >= fixture.logs.length ? true : undefined),
      { what: `${fixture.logs.length} log records at the Loki sink`, attempts: 240 },
    );
    // Stopping the Collector flushes its batch processor and exporters; closing the receiver
    // flushes its spool writer. Anything sent twice would now be in the sink's spool.
    await stack.collector.stop();
    await sink.stop();
    arrived = (await logsIn(sink.dir)).filter(
      (a) => attributeText(a.resource?.attributes, 'service.name') === fixture.serviceName,
    );
  });

  afterAll(async () => {
    await stack?.stop();
    if (dir !== undefined && process.env.KEEP_INTEROP_DIRS === undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the deployed exporter targets Loki at /otlp, and every request landed on /otlp/v1/logs', () => {
    const deployed = stack!.collectorConfig.exporters['otlp_http/loki'];
    expect(deployed?.endpoint).toBe(`${stack!.loki.url}/otlp`);
    expect(stack!.collectorConfig.service.pipelines.logs?.exporters).toContain('otlp_http/loki');
    expect(stack!.loki.requests.length).toBeGreaterThan(0);
    expect(new Set(stack!.loki.requests)).toEqual(new Set(['POST /otlp/v1/logs -> 200']));
  });

  it('every synced log record arrives exactly once (exact count), nothing else for this service', () => {
    expect(arrived).toHaveLength(fixture.logs.length);
    expect(stack!.loki.receiver.stats.accepted).toEqual({
      traces: 0,
      metrics: 0,
      logs: fixture.logs.length,
    });
    expect(arrived.map((a) => a.record.eventName).sort()).toEqual(
      fixture.logs.map((l) => l.eventName).sort(),
    );
  });

  it('with its resource: service_name (Loki stream label), version, OS, session, hashed host', () => {
    for (const { resource } of arrived) {
      const attrs = resource?.attributes;
      expect(attributeText(attrs, 'service.name')).toBe(fixture.serviceName);
      expect(attributeText(attrs, 'service.version')).toBe('1.4.2');
      expect(attributeText(attrs, 'os.type')).toBe('linux');
      expect(attributeText(attrs, 'session.id')).toBe(fixture.sessionId);
      // spool sync redacts before anything leaves the machine: a salted hash, never verbatim.
      expect(attributeText(attrs, 'host.name')).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('with its severity, body, attributes and trace/span ids (the Jaeger link)', () => {
    const byEvent = (name: string) => arrived.filter((a) => a.record.eventName === name);
    for (const expected of fixture.logs) {
      const candidates = byEvent(expected.eventName);
      const match = candidates.find(
        (a) =>
          (a.record.traceId ?? '') === expected.traceId &&
          (a.record.spanId ?? '') === expected.spanId,
      );
      expect(match, `${expected.eventName} with trace ${expected.traceId}`).toBeDefined();
      const record = match!.record;
      expect(record.severityNumber).toBe(expected.severityNumber);
      expect(record.severityText).toBe(expected.severityText);
      expect(record.body).toEqual({ stringValue: expected.body });
      // The deployed transform processor copies the LogRecord event_name into `event.name`.
      expect(attributeText(record.attributes, 'event.name')).toBe(expected.eventName);
      for (const [key, value] of Object.entries(expected.attributes)) {
        expect(attributeText(record.attributes, key), key).toBe(String(value));
      }
    }
    const crash = byEvent('app.crash');
    expect(crash).toHaveLength(1);
    const crashSpan = fixture.spans.find((s) => s.name === 'process_block' && s.statusCode === 2);
    expect(crash[0]?.record.traceId).toBe(crashSpan?.traceId);
    expect(crash[0]?.record.spanId).toBe(crashSpan?.spanId);
    expect(crash[0]?.record.severityText).toBe('FATAL');
    // Records with trace context are linkable; session.end was recorded without one.
    expect(arrived.filter((a) => (a.record.traceId ?? '') !== '')).toHaveLength(
      fixture.logs.filter((l) => l.traceId !== '').length,
    );
    expect(byEvent('session.end')[0]?.record.traceId ?? '').toBe('');
  });
});
