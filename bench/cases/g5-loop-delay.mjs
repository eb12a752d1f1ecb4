// G5: event-loop delay added by telemetry at a steady 50k spans/s. One side per process:
//  none:  the same producer through @opentelemetry/api with no SDK registered (no-op spans)
//  stock: bench/lib/sides.mjs stock pipeline (BatchSpanProcessor defaults + serializer + write)
//  ours:  startTelemetry({ serviceName, dir }) defaults
// Producer: a self-correcting 1 ms timer; each tick makes as many spans (10 attributes) as keep
// the running total at --rate spans/s since the start (50 per ms when the loop keeps up; a
// stalled loop is followed by a catch-up burst, as a real steady source would cause).
// Measured: perf_hooks.monitorEventLoopDelay({ resolution }) enabled after --warmup-ms, over
// --ms; p50/p99/max of the histogram (the delay of the histogram's own timer). After the
// window the side is shut down and the spans on disk are counted (outside the window).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { trace } from '@opentelemetry/api';
import { argValue, countSpansInDir, removeDir, report, tempDir } from '../lib/harness.mjs';
import { droppedTotal, startOurs, startStock } from '../lib/sides.mjs';
import { makeSpan } from '../spans.mjs';

const impl = argValue('impl', 'ours');
const rate = Number(argValue('rate', '50000')); // spans per second
const warmupMs = Number(argValue('warmup-ms', '1000'));
const windowMs = Number(argValue('ms', '5000'));
const resolution = Number(argValue('resolution', '1'));
const dir = tempDir(`g5-${impl}`);

let side;
if (impl === 'none') side = { tracer: trace.getTracer('bench', '1.0.0'), finish: async () => {} };
else if (impl === 'stock') side = startStock(dir);
else side = await startOurs(dir);
const { tracer } = side;

const histogram = monitorEventLoopDelay({ resolution });
let made = 0;
let madeInWindow = 0;
let windowStart = 0;
const start = performance.now();
const perMs = rate / 1000;
await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    const elapsed = now - start;
    const due = Math.floor(elapsed * perMs);
    const inWindow = windowStart > 0;
    while (made < due) makeSpan(tracer, made++);
    if (!inWindow && elapsed >= warmupMs) {
      windowStart = now;
      madeInWindow = made;
      histogram.enable();
    }
    if (inWindow && now - windowStart >= windowMs) {
      histogram.disable();
      madeInWindow = made - madeInWindow;
      resolve();
      return;
    }
    setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
});
const windowActualMs = performance.now() - windowStart;
await side.finish();
side.close?.();
const onDisk = impl === 'none' ? undefined : countSpansInDir(dir).spans;
const stats = side.stats?.();
const evicted = stats?.evicted?.records ?? 0;
removeDir(dir);
const ms = (ns) => ns / 1e6;
report({
  impl,
  resolution,
  p50Ms: ms(histogram.percentile(50)),
  p99Ms: ms(histogram.percentile(99)),
  maxMs: ms(histogram.max),
  minMs: ms(histogram.min),
  meanMs: ms(histogram.mean),
  samples: histogram.count,
  produced: made,
  producedRate: (madeInWindow / windowActualMs) * 1000,
  onDisk,
  // written, then deleted by the spool's default 256 MiB byte cap (this run writes more than
  // that); counted by the writer, so not lost (only trace segments are sealed and evictable
  // in a run this short: the metrics and logs segments stay live)
  evicted,
  lost: onDisk === undefined ? 0 : made - onDisk - evicted,
  statsDropped: stats ? droppedTotal(stats) : undefined,
});
