import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { encodeLogsUtf8 } from '../otlp/encode-logs.js';
import type { JsonlExporterOptions } from './exporter-options.js';
import { JsonlExporterBase } from './jsonl-exporter-base.js';

/** LogRecordExporter writing OTLP-JSON `LogsData` lines into `<dir>/logs/`. Never throws. */
export class JsonlLogExporter
  extends JsonlExporterBase<readonly ReadableLogRecord[], ReadableLogRecord>
  implements LogRecordExporter
{
  constructor(options: JsonlExporterOptions) {
    super('logs', options, encodeLogsUtf8, 'JsonlLogExporter');
  }

  protected toItems(records: readonly ReadableLogRecord[]): readonly ReadableLogRecord[] {
    return records;
  }
}
