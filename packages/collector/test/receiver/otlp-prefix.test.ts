// The receiver also serves the OTLP paths under `/otlp` (Loki 3's `/otlp/v1/logs`, and several
// vendors'), so an exporter configured for such a backend can be pointed at `spool serve` as is.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtlpReceiver, type OtlpReceiver } from '../../src/receiver/receiver.js';
import { logsLine, metricsLine, tracesLine } from '../helpers/spool-fixtures.js';
import { logsOf, metricsOf, readAll, spansOf } from '../helpers/read-all.js';

let dir: string;
let receiver: OtlpReceiver;
let url: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'otlp-prefix-'));
  receiver = createOtlpReceiver({ dir, port: 0 });
  url = await receiver.listen();
});
afterEach(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (path: string, body: unknown): Promise<{ status: number; text: string }> => {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
};

describe('OTLP receiver under the /otlp prefix', () => {
  it('writes logs, spans and metric points posted to /otlp/v1/{logs,traces,metrics}', async () => {
    expect(await post('/otlp/v1/logs', logsLine(0, 3, 'loki'))).toEqual({
      status: 200,
      text: '{}',
    });
    expect((await post('/otlp/v1/traces', tracesLine(0, 2))).status).toBe(200);
    expect((await post('/otlp/v1/metrics', metricsLine(0))).status).toBe(200);
    await receiver.close();

    const logs = logsOf(await readAll(dir, 'logs'));
    expect(logs.map((record) => record.body)).toEqual([
      { stringValue: 'loki-0' },
      { stringValue: 'loki-1' },
      { stringValue: 'loki-2' },
    ]);
    expect(spansOf(await readAll(dir, 'traces')).map((span) => span.name)).toEqual([
      'span-0',
      'span-1',
    ]);
    expect(metricsOf(await readAll(dir, 'metrics')).map((metric) => metric.name)).toEqual([
      'work.done',
    ]);
    expect(receiver.stats.accepted).toEqual({ traces: 2, metrics: 1, logs: 3 });
  });

  it('answers 404 for other paths under /otlp, and for a prefix that is not exactly /otlp', async () => {
    for (const path of ['/otlp/v1/log', '/otlp/logs', '/otlpx/v1/logs', '/otlp/otlp/v1/logs']) {
      const reply = await post(path, logsLine(0));
      expect(reply.status, path).toBe(404);
      expect(reply.text, path).toContain('/otlp');
    }
    await receiver.close();
    expect(logsOf(await readAll(dir, 'logs'))).toEqual([]);
  });
});
