export { SpoolSpanProcessor } from './spool-span-processor.js';
export type {
  SpoolSpanProcessorOptions,
  SpoolSpanProcessorStats,
  SyncFlushableSpanExporter,
} from './spool-span-processor.js';
export { SpoolLogRecordProcessor } from './spool-log-record-processor.js';
export type {
  LogRecordListener,
  SpoolLogRecordProcessorOptions,
  SyncFlushableLogRecordExporter,
} from './spool-log-record-processor.js';
export { BatchExportQueue, PRIORITY_RESERVE } from './batch-export-queue.js';
export type { BatchExportQueueOptions, BatchExportQueueStats } from './batch-export-queue.js';
export { UNFINISHED_SPAN_ATTRIBUTE, snapshotUnfinishedSpan } from './unfinished-span.js';
export { StartTimeRefiner } from './precise-start.js';
