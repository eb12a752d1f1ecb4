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
