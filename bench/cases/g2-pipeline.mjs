// G2 (and G7): spans → OTLP-JSON lines on disk, end to end.
//  stock: BatchSpanProcessor + otlp-transformer JsonTraceSerializer + one writeSync per batch
//  ours:  SpoolSpanProcessor + JsonlSpanExporter (SpoolWriter), durability from --durability
import { closeSync, fsyncSync, openSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonlSpanExporter, encodeTraces } from '../../packages/exporter-jsonl/dist/index.js';
import { SpoolSpanProcessor } from '../../packages/sdk/dist/processors/index.js';
import {
  argValue,
  countSpans,
  readJsonLines,
  removeDir,
  report,
  tempDir,
  yieldToLoop,
} from '../lib/harness.mjs';
import { makeProvider, makeSpan } from '../spans.mjs';

const impl = argValue('impl', 'ours');
const durability = argValue('durability', 'interval');
const total = Number(argValue('n', '100000'));
const dir = tempDir(`g2-${impl}`);
const NEWLINE = Buffer.from('\n');
const options = { maxQueueSize: 1 << 20, maxExportBatchSize: 512, scheduledDelayMillis: 5000 };

let processor;
let stockFd;
if (impl === 'stock') {
  stockFd = openSync(join(dir, 'stock.jsonl'), 'wx', 0o600);
  const exporter = {
    export(spans, cb) {
      const bytes = JsonTraceSerializer.serializeRequest(spans);
      writevSync(stockFd, [bytes, NEWLINE]);
      cb({ code: 0 });
    },
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
  };
  processor = new BatchSpanProcessor(exporter, options);
} else if (impl === 'raw-bsp' || impl === 'raw-ours') {
  // Diagnostics only: our encoder, written synchronously per batch, behind either processor.
  stockFd = openSync(join(dir, 'raw.jsonl'), 'wx', 0o600);
  const exporter = {
    export(spans, cb) {
      writevSync(stockFd, [Buffer.from(encodeTraces(spans)), NEWLINE]);
      cb({ code: 0 });
    },
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
  };
  processor =
    impl === 'raw-bsp'
      ? new BatchSpanProcessor(exporter, options)
      : new SpoolSpanProcessor(exporter, options);
} else {
  const exporter = new JsonlSpanExporter({ dir, durability });
  processor = new SpoolSpanProcessor(exporter, options);
}
const provider = makeProvider([processor]);
const tracer = provider.getTracer('bench', '1.0.0');

// The producer yields to the event loop every ROUND spans, as an application between events
// does; BatchSpanProcessor exports inside span.end() regardless.
const ROUND = Number(argValue('round', '128'));
async function run(n) {
  for (let i = 0; i < n; i += ROUND) {
    for (let k = 0; k < ROUND; k++) makeSpan(tracer, i + k);
    await yieldToLoop();
  }
  await provider.forceFlush();
}
const warm = Math.ceil(Math.min(20000, total) / ROUND) * ROUND;
const measured = Math.ceil(total / ROUND) * ROUND;
await run(warm);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await run(measured);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
await provider.shutdown();
if (stockFd !== undefined) {
  fsyncSync(stockFd);
  closeSync(stockFd);
}
// Correctness, outside the timed region: every line parses and every span is there.
const lines = readJsonLines(dir);
let spans = 0;
for (const l of lines) spans += countSpans(l);
const stats = impl === 'ours' || impl === 'raw-ours' ? processor.stats() : undefined;
removeDir(dir);
report({
  opsPerSec: (measured / ms) * 1000,
  opsPerCpuSec: (measured / cpuMs) * 1000,
  produced: warm + measured,
  onDisk: spans,
  lines: lines.length,
  dropped: stats?.dropped ?? 0,
  ok: spans === warm + measured,
});
