// G1: the instrumented code's hot path — start a span, set 10 attributes, end it — with the
// processors attached.
//  ours: startTelemetry({ serviceName, dir }) defaults (its processors, open-span tracking of
//        crash: true, and its real exporter behind them; spans through the handle's tracer)
//  bsp:  NodeTracerProvider registered with its defaults (the AsyncLocalStorage context manager
//        startTelemetry registers on our side too: bench/lib/sides.mjs) + BatchSpanProcessor
//        (its defaults) + a no-op exporter
// --per-turn spans (default 100) are made synchronously, then the loop yields (setImmediate)
// so exports can run between turns. TIMED: only the synchronous span-making loops (the sum of
// their performance.now() spans); ops/s = spans / that time. Work a processor defers out of
// span.end() (our encoding/writing, BSP's export) is not in it; wall-clock ops/s over the whole
// run is reported too, for information (ours really writes to disk there, the peer does not).
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { argValue, cpuMsSince, removeDir, report, tempDir } from '../lib/harness.mjs';
import { droppedTotal, startOurs } from '../lib/sides.mjs';
import { makeSpan, RESOURCE } from '../spans.mjs';

const impl = argValue('impl', 'ours');
const perTurn = Number(argValue('per-turn', '100'));
const total = Math.ceil(Number(argValue('n', '200000')) / perTurn) * perTurn;
const dir = tempDir(`g1-${impl}`);

let tracer;
let finish;
let stats = () => undefined;
let exported = 0;
if (impl === 'ours') {
  const side = await startOurs(dir);
  tracer = side.tracer;
  finish = side.finish;
  stats = side.stats;
} else {
  const noop = {
    export(spans, cb) {
      exported += spans.length;
      cb({ code: 0 });
    },
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
  };
  const provider = new NodeTracerProvider({
    resource: RESOURCE,
    spanProcessors: [new BatchSpanProcessor(noop)],
  });
  provider.register();
  tracer = provider.getTracer('bench', '1.0.0');
  finish = () => provider.shutdown();
}

async function run(n) {
  let syncMs = 0;
  for (let i = 0; i < n; i += perTurn) {
    const t = performance.now();
    for (let k = 0; k < perTurn; k++) makeSpan(tracer, i + k);
    syncMs += performance.now() - t;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return syncMs;
}
const warm = Math.min(20000, total);
await run(warm); // warm-up (JIT), not timed
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const syncMs = await run(total);
const wallMs = performance.now() - t0;
const cpuMs = cpuMsSince(cpu0);
await finish();
const s = stats();
removeDir(dir);
report({
  impl,
  perTurn,
  produced: warm + total,
  syncMs,
  wallMs,
  cpuMs,
  opsPerSec: (total / syncMs) * 1000,
  wallOpsPerSec: (total / wallMs) * 1000,
  exported: impl === 'ours' ? undefined : exported,
  dropped: s ? droppedTotal(s) : 0,
});
