import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { SdkLogRecord } from '@opentelemetry/sdk-logs';
import { JsonlLogExporter } from '@otelspool/exporter-jsonl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpoolLogRecordProcessor } from '../../src/processors/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelspool-log-processor-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function linesOnDisk(): string[] {
  const logs = join(dir, 'logs');
  return readdirSync(logs).flatMap((f) =>
    readFileSync(join(logs, f), 'utf8').split('\n').filter(Boolean),
  );
}

describe('SpoolLogRecordProcessor', () => {
  it('calls listeners for every record, even when one throws, and writes on forceFlush', async () => {
    const seen: string[] = [];
    const processor = new SpoolLogRecordProcessor(new JsonlLogExporter({ dir }), {
      onEmit: (r) => seen.push(String(r.body)),
    });
    const removeThrowing = processor.addEmitListener(() => {
      throw new Error('listener bug');
    });
    const logger = new LoggerProvider({ processors: [processor] }).getLogger('t');
    logger.emit({ body: 'a' });
    removeThrowing();
    logger.emit({ body: 'b' });
    expect(seen).toEqual(['a', 'b']);
    await processor.forceFlush();
    expect(processor.stats()).toMatchObject({ exported: 2, dropped: 0, queued: 0 });
    expect(linesOnDisk().join('\n')).toContain('"stringValue":"b"');
    await processor.shutdown();
  });

  it('drops beyond maxQueueSize (counted) and flushSync writes the queue synchronously', () => {
    const records: SdkLogRecord[] = [];
    const processor = new SpoolLogRecordProcessor(
      new JsonlLogExporter({ dir, durability: 'batch' }),
      {
        maxQueueSize: 3,
        maxExportBatchSize: 3,
        maxConcurrentExports: 1,
        scheduledDelayMillis: 60_000,
        onEmit: (r) => records.push(r),
      },
    );
    const logger = new LoggerProvider({ processors: [processor] }).getLogger('t');
    // m0-m2 go to the exporter as a full batch (in flight until written), m3-m5 wait in the
    // queue, m6-m7 are dropped
    for (let i = 0; i < 8; i++) logger.emit({ body: `m${i}` });
    expect(processor.stats()).toMatchObject({ queued: 3, dropped: 2 });
    processor.flushSync();
    const bodies = linesOnDisk().flatMap((l) =>
      JSON.parse(l).resourceLogs[0].scopeLogs[0].logRecords.map(
        (r: { body: { stringValue: string } }) => r.body.stringValue,
      ),
    );
    expect(bodies).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(records).toHaveLength(8);
    return processor.shutdown();
  });
});
