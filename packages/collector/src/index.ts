// Public API of @otelspool/collector: what `spool sync`, `spool serve` and `spool consent`
// (@otelspool/cli) and a program embedding them need. The OTLP model, its walkers and the
// spool layout are @otelspool/exporter-jsonl's; import them from there.

// Consent (consent.json: the user's upload decision).
export {
  grantConsent,
  readConsent,
  revokeConsent,
  type Consent,
  type ConsentSignals,
  type ConsentState,
  type DenyOptions,
  type GrantOptions,
} from './consent/consent.js';
export { previewConsent, type ConsentPreview, type SignalCounts } from './consent/preview.js';

// Redaction before anything leaves the machine.
export { createRedactor, type RedactionOptions, type Redactor } from './processors/redaction.js';
export type { KeyPattern } from '@otelspool/exporter-jsonl/internal';

// `spool sync`.
export { runSync } from './sync/run-sync.js';
export {
  DEFAULT_MAX_REQUEST_BYTES,
  type DestinationSummary,
  type SyncOptions,
  type SyncProgress,
  type SyncStatus,
  type SyncSummary,
} from './sync/sync-summary.js';
export {
  resendDeadLetters,
  type ResendOptions,
  type ResendSummary,
} from './sync/resend-dead-letters.js';
export { SyncLockedError } from './cursors/lock.js';
export { DryRunExporter } from './exporters/dry-run-exporter.js';
export {
  endpointShape,
  parseHeaderArgs,
  type EndpointShape,
  type OtlpProtocol,
} from './otlp-http/config.js';
export type { RetryOptions } from './otlp-http/retry.js';
export { listDeadLetters, type DeadLetterSummary } from './otlp-http/dead-letters.js';
export { prometheusLabelName, prometheusSeriesNames } from './metrics/prometheus.js';

// `spool serve`: the OTLP/HTTP receiver and the request guard it shares with the dashboard.
export {
  createOtlpReceiver,
  type FallbackHandler,
  type OtlpReceiver,
  type OtlpReceiverOptions,
  type ReceiverStats,
} from './receiver/receiver.js';
export {
  allowHostProblem,
  createRequestGuard,
  isLoopbackBindHost,
  TOKEN_QUERY_PARAM,
  tokenProblem,
  type GuardVerdict,
  type RequestGuard,
  type RequestGuardOptions,
} from './receiver/request-guard.js';

// OTLP protobuf requests (`spool import` of .pb files).
export { decodeRequest, encodeRequest } from './protobuf/codec.js';
