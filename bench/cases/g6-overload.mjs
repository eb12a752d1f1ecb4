// G6: overload. Spans are produced far faster than the disk path can take them, through a
// small processor queue and a small writer queue. Afterwards every produced span is either on
// disk or in a drop counter, exactly; and RSS stays within baseline + queue bytes + 32 MB.
import { JsonlSpanExporter } from '../../packages/exporter-jsonl/dist/index.js';
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

const total = Number(argValue('n', '300000'));
const maxQueueBytes = 4 * 1024 * 1024;
const dir = tempDir('g6');
const exporter = new JsonlSpanExporter({ dir, durability: 'batch', maxQueueBytes });
const processor = new SpoolSpanProcessor(exporter, { maxQueueSize: 2048, maxExportBatchSize: 512 });
const provider = makeProvider([processor]);
const tracer = provider.getTracer('bench', '1.0.0');

const ROUND = 4096; // a burst far above what one turn of exporting can take
async function burst(n) {
  for (let i = 0; i < n; i += ROUND) {
    for (let k = 0; k < ROUND && i + k < n; k++) makeSpan(tracer, i + k);
    const m = process.memoryUsage();
    if (m.rss > peak) {
      peak = m.rss;
      peakDetail = {
        heapUsedMb: m.heapUsed / 2 ** 20,
        heapTotalMb: m.heapTotal / 2 ** 20,
        externalMb: m.external / 2 ** 20,
      };
    }
    await yieldToLoop();
  }
}
// Baseline: the process after a warm-up of the same workload (JIT code and the V8 heap, young
// generation included, at their working size; no forced GC that would shrink them), flushed.
let peak = 0;
let peakDetail = {};
await burst(30 * ROUND);
await provider.forceFlush();
const warm = processor.stats();
let warmOnDisk = 0;
for (const line of readJsonLines(dir)) warmOnDisk += countSpans(line);
const warmDropped = warm.dropped + warm.failed;
await yieldToLoop();
const baseline = process.memoryUsage().rss;
peak = baseline;
await burst(total);
await provider.forceFlush();
peak = Math.max(peak, process.memoryUsage().rss);
await provider.shutdown();

const p = processor.stats();
const e = exporter.stats();
let onDisk = 0;
for (const line of readJsonLines(dir)) onDisk += countSpans(line);
removeDir(dir);
// Drops happen at two bounded places: the processor queue (spans) and the exporter/writer
// (a failed export reports its spans as failed; the writer counts the records it dropped).
const dropped = p.dropped + p.failed - warmDropped;
onDisk -= warmOnDisk;
const limit = baseline + maxQueueBytes + 32 * 1024 * 1024;
report({
  produced: total,
  written: onDisk,
  dropped,
  processorDropped: p.dropped,
  exportFailed: p.failed,
  writerDroppedRecords: e.writer.dropped,
  baselineMb: baseline / 2 ** 20,
  peakMb: peak / 2 ** 20,
  peakDetail,
  limitMb: limit / 2 ** 20,
  exact: total - onDisk === dropped,
  ok: total - onDisk === dropped && peak <= limit,
});
