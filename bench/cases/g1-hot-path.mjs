// G1: the instrumented code's hot path (start span, 10 attributes, end) with a processor
// attached: ours (SpoolSpanProcessor, open-span tracking on) vs BatchSpanProcessor, both with
// a no-op exporter so only the processor's cost differs.
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpoolSpanProcessor } from '../../packages/sdk/dist/processors/index.js';
import { argValue, report, yieldToLoop } from '../lib/harness.mjs';
import { makeProvider, makeSpan } from '../spans.mjs';

const impl = argValue('impl', 'ours');
const total = Number(argValue('n', '200000'));
let exported = 0;
const noopExporter = {
  export(spans, cb) {
    exported += spans.length;
    cb({ code: 0 });
  },
  shutdown: async () => undefined,
  forceFlush: async () => undefined,
};
const options = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000 };
const processor =
  impl === 'ours'
    ? new SpoolSpanProcessor(noopExporter, {
        ...options,
        trackOpenSpans: argValue('track', '1') === '1',
      })
    : new BatchSpanProcessor(noopExporter, options);
const provider = makeProvider([processor]);
const tracer = provider.getTracer('bench', '1.0.0');

const ROUND = 256;
async function run(n) {
  for (let i = 0; i < n; i += ROUND) {
    for (let k = 0; k < ROUND; k++) makeSpan(tracer, i + k);
    await yieldToLoop();
  }
}
await run(20000); // warm-up
await provider.forceFlush();
exported = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
await run(total);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
await provider.forceFlush();
const dropped = impl === 'ours' ? processor.stats().dropped : undefined;
report({
  opsPerSec: (total / ms) * 1000,
  opsPerCpuSec: (total / cpuMs) * 1000,
  produced: total,
  exported,
  dropped,
});
await provider.shutdown();
