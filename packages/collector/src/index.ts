// Public API of @otelspool/collector: consent, redaction, the pipeline, OTLP/HTTP sync with
// cursors and dead letters, and the OTLP/HTTP receiver behind `spool serve`.
export {
  type Consent,
  type ConsentState,
  type ConsentSignals,
  type GrantOptions,
  type DenyOptions,
  CONSENT_FILE,
  readConsent,
  ensureSalt,
  grantConsent,
  denyConsent,
  revokeConsent,
  consentAllowsSending,
  type ConsentPreview,
  type SignalCounts,
  previewConsent,
} from './consent/index.js';
export {
  type KeyPattern,
  type RedactionOptions,
  type Redactor,
  type Scrubber,
  DEFAULT_HASH_KEYS,
  DEFAULT_DROP_KEYS,
  createRedactor,
  createScrubber,
  SEVERITY_FATAL,
  isCrashLog,
  isCrashSpan,
  createConsentGate,
  createRedactionProcessor,
  createTaggingProcessor,
} from './processors/index.js';
export {
  type TelemetryItem,
  type Processor,
  type ItemBatch,
  type ExportStatus,
  type ExportResult,
  type Exporter,
  Pipeline,
  type PipelineOptions,
} from './pipeline/index.js';
export { countRecords, mergeData, type OtlpData, type Signal } from './otlp/index.js';
export {
  type OtlpProtocol,
  type DestinationConfig,
  type RetryOptions,
  type DeadLetter,
  type DeadLetterSummary,
  DEFAULT_ENDPOINT,
  DEFAULT_RETRY,
  parseHeadersEnv,
  parseHeaderArgs,
  resolveDestinations,
  destinationName,
  parseRetryAfter,
  backoffDelay,
  isRetryableStatus,
  listDeadLetters,
  readDeadLetter,
} from './otlp-http/index.js';
export { OtlpHttpExporter, DryRunExporter, SpoolWriterExporter } from './exporters/index.js';
export {
  CursorStore,
  readCursor,
  listCursors,
  acquireSyncLock,
  SyncLockedError,
} from './cursors/index.js';
export {
  DEFAULT_OUT_OF_ORDER_WINDOW_MS,
  orderMetricPoints,
  findStalePoints,
} from './metrics/index.js';
export {
  type SyncOptions,
  type SyncProgress,
  type SyncSummary,
  type SyncStatus,
  type DestinationSummary,
  type ResendOptions,
  type ResendSummary,
  DEFAULT_MAX_REQUEST_BYTES,
  runSync,
  resendDeadLetters,
  deleteSyncedSegments,
} from './sync/index.js';
export {
  type FallbackHandler,
  type OtlpReceiverOptions,
  type OtlpReceiver,
  type ReceiverStats,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_RECEIVER_PORT,
  createOtlpReceiver,
} from './receiver/index.js';
export { encodeRequest, decodeRequest } from './protobuf/index.js';
