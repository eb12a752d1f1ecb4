// The two pipelines every write-path case compares, each with its DEFAULT settings:
//  stock: NodeTracerProvider (sdk-trace-node 2.x, the provider OpenTelemetry's Node docs set up)
//         registered with its defaults (register(): AsyncLocalStorageContextManager, W3C
//         propagators), BatchSpanProcessor with its own defaults (queue 2048, batch 512, 5 s) and
//         an exporter that does JsonTraceSerializer.serializeRequest(spans) and writes the bytes
//         + '\n' with writevSync. Registered, because startTelemetry registers the same context
//         manager on our side, and every span start asks it for the active context: a stock side
//         without one would be spared a per-span cost a stock Node app pays.
//  ours:  startTelemetry({ serviceName, dir }) from packages/sdk/dist (the public API only), spans
//         made through the handle's tracer, ended by `await telemetry.shutdown()`.
// Both write traces to `<dir>/traces/*.jsonl`, so countSpansInDir() reads either side.
import { closeSync, fsyncSync, mkdirSync, openSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { RESOURCE } from '../spans.mjs';

const NEWLINE = Buffer.from('\n');

/** The stock exporter: serialize the batch to OTLP-JSON, one synchronous write per batch. */
export function stockFileExporter(file) {
  const fd = openSync(file, 'wx', 0o600);
  return {
    export(spans, cb) {
      writevSync(fd, [JsonTraceSerializer.serializeRequest(spans), NEWLINE]);
      cb({ code: 0 });
    },
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
    /** Outside the timed region: make the file durable too, then close it. */
    close() {
      fsyncSync(fd);
      closeSync(fd);
    },
  };
}

export function startStock(dir) {
  mkdirSync(join(dir, 'traces'), { recursive: true, mode: 0o700 });
  const exporter = stockFileExporter(join(dir, 'traces', 'stock.jsonl'));
  const provider = new NodeTracerProvider({
    resource: RESOURCE,
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return {
    tracer: provider.getTracer('bench', '1.0.0'),
    /** Timed: everything made so far exported and written (BatchSpanProcessor's shutdown). */
    finish: () => provider.shutdown(),
    close: () => exporter.close(),
    stats: () => undefined,
  };
}

export async function startOurs(dir, options = {}) {
  const { startTelemetry } = await import('../../packages/sdk/dist/index.js');
  const telemetry = await startTelemetry({ serviceName: 'bench-host', dir, ...options });
  return {
    tracer: telemetry.tracer,
    /** Timed: shutdown() resolves once everything is written (and fsynced per durability). */
    finish: () => telemetry.shutdown(),
    close: () => undefined,
    /** The handle's counters (they still answer after shutdown; read outside the timing). */
    stats: () => telemetry.stats(),
    telemetry,
  };
}

/** Sum of the handle's drop counters (all reasons, all signals). */
export function droppedTotal(stats) {
  if (!stats) return 0;
  return Object.values(stats.dropped ?? {}).reduce((a, b) => a + b, 0);
}
