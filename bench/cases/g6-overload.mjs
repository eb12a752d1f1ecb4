// G6: overload with startTelemetry DEFAULTS. A producer far faster than the pipeline can take
// (4,096 spans per event-loop turn, for --n spans) runs after a warm-up of the same workload.
// Afterwards (outside any timing): every produced span is either on disk (counted in
// <dir>/traces/*.jsonl) or in a drop counter of the handle's stats() (`dropped`, by reason:
// span_queue_full from the processor plus the writer's reasons), exactly; and the RSS peak
// (sampled every turn) stays within baseline + queue bytes + 32 MB, where queue bytes =
// the writer's queue bound (spool.maxQueueBytes, default 16 MiB) + the span queue
// (maxQueueSize spans, default from resolveOptions) × the measured bytes per span on disk.
import { argValue, countSpansInDir, removeDir, report, tempDir } from '../lib/harness.mjs';
import { startOurs } from '../lib/sides.mjs';
import { makeSpan } from '../spans.mjs';

const total = Number(argValue('n', '300000'));
const ROUND = 4096;
const DEFAULT_WRITER_QUEUE_BYTES = 16 * 1024 * 1024;
const dir = tempDir('g6');
const { resolveOptions } = await import('../../packages/sdk/dist/index.js');
const resolved = resolveOptions({ serviceName: 'bench-host', dir });
const side = await startOurs(dir);
const { tracer, telemetry } = side;

let peak = 0;
async function burst(n) {
  for (let i = 0; i < n; i += ROUND) {
    for (let k = 0; k < ROUND && i + k < n; k++) makeSpan(tracer, i + k);
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
const sumDropped = (s) => Object.values(s.dropped).reduce((a, b) => a + b, 0);

// Baseline: the process after a warm-up of the same workload (JIT code and heap at working
// size), flushed.
const warmN = 30 * ROUND;
await burst(warmN);
await telemetry.forceFlush();
const warmDropped = sumDropped(telemetry.stats());
const warmOnDisk = countSpansInDir(dir).spans;
const warmEvicted = telemetry.stats().evicted.records;
await new Promise((resolve) => setImmediate(resolve));
const baseline = process.memoryUsage.rss();
peak = baseline;
const t0 = performance.now();
await burst(total);
const produceMs = performance.now() - t0;
await side.finish();
const ms = performance.now() - t0;
peak = Math.max(peak, process.memoryUsage.rss());

const s = side.stats();
const disk = countSpansInDir(dir);
removeDir(dir);
// Evicted: written, then deleted by the spool's default 256 MiB byte cap (the run writes more
// than that); only trace segments are sealed and evictable in a run this short.
const evicted = s.evicted.records - warmEvicted;
const written = disk.spans - warmOnDisk + evicted;
const dropped = sumDropped(s) - warmDropped;
const bytesPerSpan = disk.spans > 0 ? disk.bytes / disk.spans : 0;
const writerQueueBytes = resolved.spool.maxQueueBytes ?? DEFAULT_WRITER_QUEUE_BYTES;
const queueBytes = writerQueueBytes + resolved.maxQueueSize * bytesPerSpan;
const limit = baseline + queueBytes + 32 * 1024 * 1024;
const exact = total === written + dropped;
report({
  produced: total,
  written,
  evicted,
  dropped,
  droppedByReason: s.dropped,
  warmUp: { produced: warmN, onDisk: warmOnDisk, dropped: warmDropped },
  produceMs,
  ms,
  baselineMb: baseline / 2 ** 20,
  peakMb: peak / 2 ** 20,
  queueMb: queueBytes / 2 ** 20,
  limitMb: limit / 2 ** 20,
  exact,
  ok: exact && peak <= limit,
});
