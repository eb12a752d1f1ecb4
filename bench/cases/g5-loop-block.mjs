// G5: the longest synchronous stretches of the event loop caused by exporting. 40 batches of
// 512 finished ~1.2 KB spans (a pool of 4 distinct batches, so the benchmark's own heap stays
// small and its GC pauses do not drown the measurement) are exported back to back while a setImmediate sampler records the
// length of every event-loop turn; p99 and max of those turns are reported.
//  stock: BatchSpanProcessor-style export = JsonTraceSerializer + one writeSync per batch
//  ours:  JsonlSpanExporter (encodes in slices, SpoolWriter writes in bounded passes)
import { closeSync, openSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonlSpanExporter } from '../../packages/exporter-jsonl/dist/index.js';
import {
  argValue,
  countSpans,
  readJsonLines,
  removeDir,
  report,
  tempDir,
} from '../lib/harness.mjs';
import { makeProvider, makeSpan } from '../spans.mjs';

const impl = argValue('impl', 'ours');
const batches = Number(argValue('batches', '40'));
const BATCH = 512;
const dir = tempDir(`g5-${impl}`);

const memory = new InMemorySpanExporter();
const provider = makeProvider([new SimpleSpanProcessor(memory)]);
const tracer = provider.getTracer('bench', '1.0.0');
const POOL = 4;
for (let i = 0; i < BATCH * POOL; i++) makeSpan(tracer, i);
const spans = memory.getFinishedSpans();

let exportBatch;
let close = async () => undefined;
if (impl === 'stock') {
  const fd = openSync(join(dir, 'stock.jsonl'), 'wx', 0o600);
  const nl = Buffer.from('\n');
  exportBatch = (batch) =>
    new Promise((resolve) => {
      writevSync(fd, [JsonTraceSerializer.serializeRequest(batch), nl]);
      resolve();
    });
  close = async () => closeSync(fd);
} else {
  const exporter = new JsonlSpanExporter({ dir });
  exportBatch = (batch) => new Promise((resolve) => exporter.export(batch, () => resolve()));
  close = () => exporter.shutdown();
}

async function measure(count) {
  const turns = [];
  let running = true;
  let last = performance.now();
  const sample = () => {
    const now = performance.now();
    turns.push(now - last);
    last = now;
    if (running) setImmediate(sample);
  };
  setImmediate(sample);
  for (let b = 0; b < count; b++) {
    // each batch is handed over on its own turn, as a processor does when a batch fills up
    await new Promise((resolve) => setImmediate(resolve));
    const p = b % POOL;
    await exportBatch(spans.slice(p * BATCH, (p + 1) * BATCH));
  }
  running = false;
  await new Promise((resolve) => setImmediate(resolve));
  return turns;
}

await measure(4); // warm-up (JIT)
const turns = (await measure(batches)).sort((a, b) => a - b);
await close();
const p99 = turns[Math.min(turns.length - 1, Math.floor(turns.length * 0.99))];
const max = turns[turns.length - 1];
let onDisk = 0;
for (const line of readJsonLines(dir)) onDisk += countSpans(line);
removeDir(dir);
const expected = BATCH * (batches + 4);
report({ p99Ms: p99, maxMs: max, turns: turns.length, onDisk, expected, ok: onDisk === expected });
