import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { encodeTracesUtf8 } from '../otlp/encode-traces.js';
import type { JsonlExporterOptions } from './exporter-options.js';
import { JsonlExporterBase } from './jsonl-exporter-base.js';

/** SpanExporter writing OTLP-JSON `TracesData` lines into `<dir>/traces/`. Never throws. */
export class JsonlSpanExporter
  extends JsonlExporterBase<readonly ReadableSpan[], ReadableSpan>
  implements SpanExporter
{
  constructor(options: JsonlExporterOptions) {
    super('traces', options, encodeTracesUtf8, 'JsonlSpanExporter');
  }

  protected toItems(spans: readonly ReadableSpan[]): readonly ReadableSpan[] {
    return spans;
  }
}
