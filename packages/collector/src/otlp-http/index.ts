export {
  type OtlpProtocol,
  type DestinationConfig,
  type ResolveEndpointOptions,
  type EndpointShape,
  endpointShape,
  DEFAULT_ENDPOINT,
  parseHeadersEnv,
  parseHeaderArgs,
  signalUrl,
  destinationName,
  resolveDestinations,
} from './config.js';
export {
  type RetryOptions,
  type ResolvedRetryOptions,
  DEFAULT_RETRY,
  RETRYABLE_STATUS,
  resolveRetry,
  isRetryableStatus,
  parseRetryAfter,
  backoffDelay,
} from './retry.js';
export {
  type EncodedRequest,
  type AttemptOutcome,
  type SendOptions,
  encodeOtlpBody,
  sendOnce,
} from './client.js';
export {
  type CapturedBody,
  type ClaimedPartial,
  type ResponseVerdict,
  RESPONSE_HEAD_BYTES,
  RESPONSE_TAIL_BYTES,
  RESPONSE_MAX_BYTES,
  BodyCapture,
  judgeSuccessBody,
  responseFormat,
  clampRejected,
  displayText,
} from './response.js';
export {
  type DeadLetter,
  type DeadLetterSummary,
  DEAD_LETTER_DIR,
  writeDeadLetter,
  listDeadLetters,
  readDeadLetter,
  deleteDeadLetter,
} from './dead-letters.js';
