import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { JsonlLogExporter, SpoolWriter } from '@otelspool/exporter-jsonl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRIORITY_RESERVE, SpoolLogRecordProcessor } from '../../src/processors/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otelspool-fatal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function bodiesOnDisk(): string[] {
  const logs = join(dir, 'logs');
  return readdirSync(logs).flatMap((f) =>
    readFileSync(join(logs, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((line) =>
        JSON.parse(line).resourceLogs.flatMap(
          (r: { scopeLogs: { logRecords: { body: { stringValue: string } }[] }[] }) =>
            r.scopeLogs.flatMap((s) => s.logRecords.map((l) => l.body.stringValue)),
        ),
      ),
  );
}

describe('a crash FATAL record when every queue is full', () => {
  it('is neither dropped by the processor queue nor by the writer queue, and reaches disk on flushSync', () => {
    // A writer whose byte queue is already full and a processor queue at its bound: the state
    // of a busy app at the moment it dies.
    const writer = new SpoolWriter({ dir, maxQueueBytes: 2048 });
    while (writer.append('logs', '{"resourceLogs":[]}'.padEnd(400, ' '), 1)) {
      // fill the writer's queue until it refuses
    }
    const processor = new SpoolLogRecordProcessor(new JsonlLogExporter({ writer }), {
      maxQueueSize: 4,
      maxConcurrentExports: 1, // the first batch stays in flight: the queue behind it fills
      scheduledDelayMillis: 60_000,
    });
    const logger = new LoggerProvider({ processors: [processor] }).getLogger('app');
    for (let i = 0; i < 10; i++)
      logger.emit({ body: `info ${i}`, severityNumber: SeverityNumber.INFO });
    // 4 in flight, 4 queued, 2 refused
    expect(processor.stats().dropped).toBe(2);

    logger.emit({ body: 'the crash', severityNumber: SeverityNumber.FATAL, severityText: 'FATAL' });
    expect(processor.stats().dropped).toBe(2);
    processor.flushSync();

    expect(bodiesOnDisk()).toContain('the crash');
    // The batch in flight met the full writer queue before the crash: refused and counted;
    // the four still queued in the processor were written by the crash flush.
    expect(bodiesOnDisk().filter((b) => b.startsWith('info'))).toEqual([
      'info 4',
      'info 5',
      'info 6',
      'info 7',
    ]);
    expect(writer.stats().droppedDetail.queue_full.records).toBeGreaterThanOrEqual(4);
  });

  it('keeps the reserve bounded: an app logging FATAL in a loop cannot grow the queue forever', () => {
    const processor = new SpoolLogRecordProcessor(new JsonlLogExporter({ dir }), {
      maxQueueSize: 4,
      maxConcurrentExports: 1,
      scheduledDelayMillis: 60_000,
    });
    const logger = new LoggerProvider({ processors: [processor] }).getLogger('app');
    // 4 go in flight, 4 + PRIORITY_RESERVE wait, the last 10 are refused
    for (let i = 0; i < 4 + 4 + PRIORITY_RESERVE + 10; i++) {
      logger.emit({ body: `fatal ${i}`, severityNumber: SeverityNumber.FATAL });
    }
    expect(processor.stats()).toMatchObject({ queued: 4 + PRIORITY_RESERVE, dropped: 10 });
  });
});
