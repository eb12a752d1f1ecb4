import type { OtlpData, Signal } from '@otelspool/exporter-jsonl';

/**
 * The unit that flows through a pipeline (as in the OpenTelemetry Collector: receiver →
 * processors → exporter). One item is one OTLP request body or one spool line.
 */
export interface TelemetryItem {
  signal: Signal;
  data: OtlpData;
  /** Spans, data points or log records in `data`. */
  records: number;
  /** Where the item came from in the spool, for cursors (spool-reader receiver only). */
  /** Where in the spool it came from: the line's end position and its line number. */
  origin?: { segment: string; position: number; line?: number };
}

/** A processor transforms or filters one item; returning undefined drops it (counted). */
export interface Processor {
  readonly name: string;
  process(item: TelemetryItem): TelemetryItem | undefined;
}

/** Several items of one signal the exporter sends as one request. */
export interface ItemBatch {
  signal: Signal;
  items: TelemetryItem[];
  records: number;
}

export type ExportStatus =
  /** Accepted (possibly with partial_success: `rejected` > 0). */
  | 'success'
  /** Not delivered, may be retried later (offline, 429/503, retries exhausted): stop, keep cursor. */
  | 'retryable'
  /** Rejected for good (4xx, 500...): data kept in the dead-letter folder, move on. */
  | 'permanent';

export interface ExportResult {
  status: ExportStatus;
  /** partial_success.rejected_<signal>; records the server dropped, never retried. */
  rejected?: number;
  /** Server's message (partial_success.error_message or decoded google.rpc.Status). */
  message?: string;
  /** Bytes put on the wire (after compression) for this batch. */
  bytes?: number;
  /** Where a permanently rejected batch was stored. */
  deadLetter?: string;
}

export interface Exporter {
  readonly name: string;
  export(batch: ItemBatch): Promise<ExportResult>;
  shutdown?(): Promise<void>;
}
