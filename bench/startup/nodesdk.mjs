// G11 peer: @opentelemetry/sdk-node's NodeSDK doing the same as ours.mjs: start, one span,
// shutdown, exit. Its trace exporter is the stock file exporter of the other rows
// (JsonTraceSerializer + one synchronous write); metrics and logs readers/processors are given
// as empty lists, so NodeSDK does not build its default OTLP/HTTP ones (which would try the
// network at shutdown). Instrumentations: none. Everything else (resource detectors, context
// manager, propagators) is NodeSDK's default.
import { closeSync, openSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { NodeSDK } from '@opentelemetry/sdk-node';

const fd = openSync(join(process.argv[2], 'nodesdk.jsonl'), 'wx', 0o600);
const traceExporter = {
  export(spans, cb) {
    writevSync(fd, [JsonTraceSerializer.serializeRequest(spans), Buffer.from('\n')]);
    cb({ code: 0 });
  },
  shutdown: async () => undefined,
  forceFlush: async () => undefined,
};
const sdk = new NodeSDK({
  serviceName: 'bench-startup',
  traceExporter,
  metricReaders: [],
  logRecordProcessors: [],
  instrumentations: [],
});
sdk.start();
trace.getTracer('bench-startup').startSpan('startup').end();
await sdk.shutdown();
closeSync(fd);
