// Kept while test/reliability/hostile-bodies.test.ts imports this folder; the package API is
// src/index.ts.
export {
  type FallbackHandler,
  type OtlpReceiverOptions,
  type OtlpReceiver,
  type ReceiverStats,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_RECEIVER_PORT,
  createOtlpReceiver,
} from './receiver.js';
export { BodyTooLargeError, BadEncodingError, readBody } from './read-body.js';
export {
  type RequestLimits,
  type RequestCounts,
  DEFAULT_REQUEST_LIMITS,
  RequestLimitError,
} from './request-limits.js';
export { scanJson, jsonDepthLimit } from './json-scan.js';
export {
  type RequestGuard,
  type RequestGuardOptions,
  type GuardVerdict,
  createRequestGuard,
  sendGuardVerdict,
  isLoopbackBindHost,
  tokenProblem,
  allowHostProblem,
  TOKEN_QUERY_PARAM,
} from './request-guard.js';
