// Custom storage: an app keeps the spool (the source of truth) and also stores records
// somewhere of its own, through startTelemetry's `spanProcessors` and `logRecordProcessors`.
// Here: every ended span and every log record at WARN or above is appended, as one JSON
// object per line, to an extra file of the app's choosing.
//
//   node examples/custom-storage/app.mjs --dir DIR --out FILE      (build first: npm run build)
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SpanStatusCode } from '@opentelemetry/api';
import { startTelemetry } from '@otelspool/sdk';

const { values } = parseArgs({ options: { dir: { type: 'string' }, out: { type: 'string' } } });
if (!values.dir || !values.out) {
  console.error('usage: node examples/custom-storage/app.mjs --dir DIR --out FILE');
  process.exit(2);
}
const out = values.out;

/** A SpanProcessor (the OpenTelemetry SDK interface): onEnd runs on the app's hot path, so it stays small. */
const spanFile = {
  onStart() {},
  onEnd(span) {
    const { traceId, spanId } = span.spanContext();
    appendFileSync(
      out,
      JSON.stringify({
        signal: 'span',
        name: span.name,
        traceId,
        spanId,
        error: span.status.code === SpanStatusCode.ERROR,
      }) + '\n',
    );
  },
  forceFlush: async () => {},
  shutdown: async () => {},
};

/** A LogRecordProcessor keeping WARN (13) and above. */
const warningsFile = {
  onEmit(record) {
    if ((record.severityNumber ?? 0) < 13) return;
    appendFileSync(
      out,
      JSON.stringify({ signal: 'log', severity: record.severityText, body: record.body }) + '\n',
    );
  },
  forceFlush: async () => {},
  shutdown: async () => {},
};

const telemetry = await startTelemetry({
  serviceName: 'custom-storage-example',
  dir: values.dir,
  crash: false,
  spanProcessors: [spanFile],
  logRecordProcessors: [warningsFile],
});

telemetry.tracer.startActiveSpan('load-preset', (span) => {
  telemetry.log.info('loading');
  telemetry.log.warn('preset is old', { 'preset.version': 1 });
  span.end();
});
const failing = telemetry.tracer.startSpan('save-preset');
failing.setStatus({ code: SpanStatusCode.ERROR, message: 'disk full' });
failing.end();

await telemetry.shutdown();
console.log(`wrote ${out}; the spool in ${values.dir} holds the same spans`);
