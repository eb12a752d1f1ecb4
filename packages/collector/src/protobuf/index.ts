export {
  type PartialSuccess,
  type RpcStatus,
  REJECTED_FIELD,
  encodeRequest,
  decodeRequest,
  encodeResponse,
  decodeResponse,
  partialFrom,
  encodeStatus,
  decodeStatus,
} from './codec.js';
