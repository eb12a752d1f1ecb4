// G2 (and G7): bursts, end to end to disk, DEFAULT settings on both sides (bench/lib/sides.mjs).
// The producer makes --per-turn spans (10 attributes, ~1 KB) synchronously, then yields one
// event-loop turn with setImmediate, until --n spans are made. Timed (wall clock and
// process.cpuUsage user+sys, all threads): from the first span to the side's finish()
// resolving (stock: BatchSpanProcessor shutdown = every batch serialized and written; ours:
// `await telemetry.shutdown()`). Pipeline set-up (startTelemetry / provider construction)
// happens before the clock starts; counting the spans on disk happens after it stops.
// --durability passes startTelemetry's `durability` option (G7); unset = the default.
import {
  argValue,
  countSpansInDir,
  cpuMsSince,
  removeDir,
  report,
  tempDir,
} from '../lib/harness.mjs';
import { droppedTotal, startOurs, startStock } from '../lib/sides.mjs';
import { makeSpan } from '../spans.mjs';

const impl = argValue('impl', 'ours');
const perTurn = Number(argValue('per-turn', '1000'));
const total = Math.ceil(Number(argValue('n', '220000')) / perTurn) * perTurn;
const durability = argValue('durability', undefined);
const dir = tempDir(`g2-${impl}`);

const side =
  impl === 'stock'
    ? startStock(dir)
    : await startOurs(dir, durability === undefined ? {} : { durability });
const { tracer } = side;

const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let i = 0; i < total; i += perTurn) {
  for (let k = 0; k < perTurn; k++) makeSpan(tracer, i + k);
  await new Promise((resolve) => setImmediate(resolve));
}
const produceMs = performance.now() - t0;
await side.finish();
const ms = performance.now() - t0;
const cpuMs = cpuMsSince(cpu0);
side.close();

// Outside the timed region: what is really on disk.
const onDisk = countSpansInDir(dir);
const stats = side.stats();
removeDir(dir);
report({
  impl,
  perTurn,
  durability: durability ?? 'default',
  produced: total,
  onDisk: onDisk.spans,
  lines: onDisk.lines,
  // written, then deleted by the spool's default 256 MiB byte cap, if a run writes more
  evicted: stats?.evicted?.records ?? 0,
  lost: total - onDisk.spans - (stats?.evicted?.records ?? 0),
  statsDropped: stats ? droppedTotal(stats) : undefined,
  statsDetail: stats ? stats.dropped : undefined,
  ms,
  produceMs,
  cpuMs,
  opsPerSec: (total / ms) * 1000,
  opsPerCpuSec: (total / cpuMs) * 1000,
});
